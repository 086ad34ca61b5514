/**
 * Glossary: a blocker is a question about a run that only someone else (an operator) can answer.
 * Raising one puts the run in `blocked`; its lease does not lapse while it waits. The resolution
 * is a decision with a defined effect on the run (see EFFECTS below and docs/handoffs-and-blockers.md).
 */
import type { PolicyRule, PolicySubject } from './policy.js';

export const BLOCKER_KINDS = ['decision', 'approval', 'dependency', 'access', 'error'] as const;
export type BlockerKind = (typeof BLOCKER_KINDS)[number];

/** `open` waits for a decision; `resolved` has one; `obsolete` closed because its run moved on. */
export const BLOCKER_STATES = ['open', 'resolved', 'obsolete'] as const;
export type BlockerState = (typeof BLOCKER_STATES)[number];

export const DECISIONS = ['approve', 'deny', 'answer', 'redirect', 'reassign', 'pause', 'cancel'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Who raised it: the owning agent, a policy rule, or stale-owner escalation. */
export const BLOCKER_ORIGINS = ['agent', 'policy', 'escalation'] as const;
export type BlockerOrigin = (typeof BLOCKER_ORIGINS)[number];

export interface Blocker {
  id: string;
  runId: string;
  /** the run owner the blocker concerns (who gets the decision) */
  agentId: string;
  /** actor label of whoever raised it: the agent id, `policy`, or `system` */
  raisedBy: string;
  origin: BlockerOrigin;
  kind: BlockerKind;
  question: string;
  options: string[];
  context: string | null;
  evidence: string[];
  /** for policy blockers: the rule that fired and what it covers */
  policyRule: PolicyRule | null;
  policySubject: PolicySubject | null;
  state: BlockerState;
  decision: Decision | null;
  /** answer text, chosen option, new instructions, deny reason or approval note */
  resolution: string | null;
  /** the option chosen from `options` for `answer` */
  chosenOption: string | null;
  /** reassign target: `agt_…` or `role:NAME` */
  reassignedTo: string | null;
  resolvedBy: string | null;
  resolvedAt: number | null;
  createdAt: number;
}

export const BLOCKER_TRANSITIONS: Readonly<Record<BlockerState, readonly BlockerState[]>> = {
  open: ['resolved', 'obsolete'],
  resolved: [],
  obsolete: [],
};

export function canBlockerTransition(from: BlockerState, to: BlockerState): boolean {
  return BLOCKER_TRANSITIONS[from].includes(to);
}

/**
 * What each decision does to the run: `owner` returns the run to its owner (leased), `reassign`
 * moves it to another agent or role, `cancel` cancels it. `pause` also pauses the owner.
 */
export const DECISION_EFFECT: Readonly<Record<Decision, 'owner' | 'reassign' | 'cancel'>> = {
  approve: 'owner',
  deny: 'owner',
  answer: 'owner',
  redirect: 'owner',
  pause: 'owner',
  reassign: 'reassign',
  cancel: 'cancel',
};

export interface DecisionInput {
  decision: Decision;
  /** approve: note; deny: reason; answer: text; redirect: new instructions; others: note */
  text?: string;
  option?: string;
  to_agent?: string;
  to_role?: string;
}

/**
 * Pure validation of a decision against the blocker; returns a message for INVALID_INPUT, or null.
 * Kept here so the CLI and the tool answer the same.
 */
export function decisionProblem(blocker: Pick<Blocker, 'options' | 'kind'>, d: DecisionInput): { message: string; hint: string } | null {
  switch (d.decision) {
    case 'answer': {
      if (!d.text && !d.option) return { message: 'answer needs `text` or `option`', hint: 'give the answer as text, or choose one of the blocker options' };
      if (d.option !== undefined && !blocker.options.includes(d.option)) {
        return {
          message: `option "${d.option}" is not one of the blocker's options`,
          hint: blocker.options.length > 0 ? `choose one of: ${blocker.options.join(' | ')}` : 'this blocker has no options: answer with text',
        };
      }
      return null;
    }
    case 'deny':
      return d.text ? null : { message: 'deny needs a reason (`text`)', hint: 'say why, so the agent can change course' };
    case 'redirect':
      return d.text ? null : { message: 'redirect needs the new instructions (`text`)', hint: 'write the instructions the agent should follow now' };
    case 'reassign':
      if (!!d.to_agent === !!d.to_role) return { message: 'reassign needs exactly one of `to_agent` or `to_role`', hint: 'name the agent id or the role that takes the run over' };
      return null;
    default:
      return null;
  }
}

/** One line an agent reads in its signal: what was decided and what to do now. */
export function decisionMessage(b: Pick<Blocker, 'id' | 'kind' | 'decision' | 'resolution' | 'chosenOption' | 'reassignedTo'>): string {
  const said = b.chosenOption ?? b.resolution;
  switch (b.decision) {
    case 'approve':
      return `blocker ${b.id} (${b.kind}) approved${said ? `: ${said}` : ''}; continue the run`;
    case 'deny':
      return `blocker ${b.id} (${b.kind}) denied: ${said ?? ''}; do not proceed with what you asked, change course or submit_result`;
    case 'answer':
      return `blocker ${b.id} answered: ${said ?? ''}; continue with that answer`;
    case 'redirect':
      return `blocker ${b.id}: new instructions from the operator: ${said ?? ''}`;
    case 'reassign':
      return `blocker ${b.id}: the run was reassigned to ${b.reassignedTo ?? '?'}; stop working on it`;
    case 'pause':
      return `blocker ${b.id}: you are paused by the operator; stop, keep showing signs of life, and await_update`;
    case 'cancel':
      return `blocker ${b.id}: the run was cancelled; stop working on it`;
    default:
      return `blocker ${b.id} changed`;
  }
}
