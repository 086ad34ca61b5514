/**
 * Signals are how fleetdeck reaches an agent: clients drop push notifications and a model only
 * sees tool results, so every result of a bound caller carries the signals pending for it.
 */
export const SIGNAL_KINDS = [
  'cancel',
  'pause',
  'resume',
  'redirect',
  'handoff_offered',
  'handoff_accepted',
  'handoff_declined',
  'handoff_withdrawn',
  'blocker_raised',
  'blocker_resolved',
  'claim_released',
  'run_assigned',
  'run_finished',
  'lease_lost',
  'notice',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export interface Signal {
  id: number;
  kind: SignalKind;
  runId: string | null;
  subjectId: string | null;
  message: string;
  payload: Record<string, unknown>;
  createdAt: number;
  /** handed out before to a connection that never acknowledged it: the agent may have seen it */
  redelivered: boolean;
  /** when the agent's next call on the receiving connection confirmed it (null: not yet) */
  acknowledgedAt: number | null;
}

export interface NewSignal {
  agentId: string;
  kind: SignalKind;
  runId?: string | null;
  subjectId?: string | null;
  message: string;
  payload?: Record<string, unknown>;
}
