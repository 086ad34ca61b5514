/**
 * Glossary: a handoff is a structured transfer of a run from its current owner to another agent
 * (or to the first taker of a role). Prose alone is never enough: summary and next action are
 * required, and what changed, what failed, the risks and the open questions are fields.
 */
export const HANDOFF_STATES = ['offered', 'accepted', 'declined', 'withdrawn'] as const;
export type HandoffState = (typeof HANDOFF_STATES)[number];

/** Why an offered handoff was withdrawn: by its offerer, or because the run moved on without it. */
export const WITHDRAW_REASONS = ['withdrawn', 'offerer_stale', 'run_moved_on'] as const;
export type WithdrawReason = (typeof WITHDRAW_REASONS)[number];

export interface FailedAttempt {
  approach: string;
  result: string;
}

export interface Handoff {
  id: string;
  runId: string;
  fromAgentId: string;
  /** exactly one of toAgentId / toRole is set */
  toAgentId: string | null;
  toRole: string | null;
  summary: string;
  nextAction: string;
  changedFiles: string[];
  evidence: string[];
  failedAttempts: FailedAttempt[];
  risks: string[];
  openQuestions: string[];
  state: HandoffState;
  /** the run's lease epoch when the handoff was offered: an accept is only valid while it holds */
  offeredEpoch: number;
  createdAt: number;
  decidedAt: number | null;
  /** who accepted or declined it (an agent id), or who withdrew it (agent id, `system`, operator) */
  decidedBy: string | null;
  /** decline reason, or withdrawal reason */
  reason: string | null;
}

/** Allowed transitions, as data: only an offered handoff can change, and only once. */
export const HANDOFF_TRANSITIONS: Readonly<Record<HandoffState, readonly HandoffState[]>> = {
  offered: ['accepted', 'declined', 'withdrawn'],
  accepted: [],
  declined: [],
  withdrawn: [],
};

export function canHandoffTransition(from: HandoffState, to: HandoffState): boolean {
  return HANDOFF_TRANSITIONS[from].includes(to);
}

/** Whether `agent` is a target of the handoff: the named agent, or any agent of the named role. */
export function isHandoffTarget(h: Pick<Handoff, 'toAgentId' | 'toRole' | 'fromAgentId'>, agent: { id: string; role: string }): boolean {
  if (agent.id === h.fromAgentId) return false;
  if (h.toAgentId !== null) return h.toAgentId === agent.id;
  return h.toRole === agent.role;
}

export function handoffTargetLabel(h: Pick<Handoff, 'toAgentId' | 'toRole'>): string {
  return h.toAgentId ?? `role ${h.toRole}`;
}

/** How many agents of a role get a `handoff_offered` signal for a role-targeted handoff. */
export const ROLE_FANOUT_LIMIT = 50;
