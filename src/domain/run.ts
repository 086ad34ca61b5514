/**
 * Glossary: a run is one unit of autonomous work — a task submitted to the queue, or work an agent
 * started itself. Its state machine lives here as data; SQL enforces the same rules (CHECK
 * constraints and conditional UPDATEs in migration 003), and services move runs only through
 * `assertTransition` so the handoff and blocker work reuse one set of rules.
 */
import { invalidState } from './errors.js';

export const RUN_STATES = [
  'queued',
  'leased',
  'blocked',
  'handoff_pending',
  'completed',
  'failed',
  'cancelled',
  'dead',
] as const;
export type RunState = (typeof RUN_STATES)[number];

/** States in which the run has an owner (an agent holding the lease). */
export const OWNED_STATES = ['leased', 'blocked', 'handoff_pending'] as const satisfies readonly RunState[];
/** States a run never leaves on its own; only an operator's `requeue_run` starts a new attempt. */
export const FINISHED_STATES = ['completed', 'failed', 'cancelled', 'dead'] as const satisfies readonly RunState[];

export const DEAD_REASONS = ['expired', 'max_attempts', 'non_retryable'] as const;
export type DeadReason = (typeof DEAD_REASONS)[number];

/**
 * What happens to a run when its owner turns stale: `requeue` (default; dead-lettered with
 * `max_attempts` when none are left), `escalate` (blocked for an operator, reason `owner_stale`),
 * `dead_letter` (never re-run automatically: dead with reason `non_retryable`).
 */
export const ON_STALE = ['requeue', 'escalate', 'dead_letter'] as const;
export type OnStale = (typeof ON_STALE)[number];

/** `submitted` through submit_task (queued), `started` through start_run (leased at once). */
export type RunOrigin = 'submitted' | 'started';

export const RUN_OUTCOMES = ['completed', 'failed'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

/** Why a state changed; every transition below is one of these. */
export type RunTransitionVia =
  | 'submit'
  | 'take'
  | 'start'
  | 'complete'
  | 'fail'
  | 'retry'
  | 'owner_stale'
  | 'escalate'
  | 'dead_letter'
  | 'expire'
  | 'cancel'
  | 'block'
  | 'unblock'
  | 'offer_handoff'
  | 'accept_handoff'
  | 'withdraw_handoff'
  | 'reassign'
  | 'requeue';

export interface RunTransition {
  from: RunState | null;
  to: RunState;
  via: RunTransitionVia;
}

/** Every allowed transition. `from: null` is creation. */
export const RUN_TRANSITIONS: readonly RunTransition[] = [
  { from: null, to: 'queued', via: 'submit' },
  { from: null, to: 'leased', via: 'start' },
  { from: 'queued', to: 'leased', via: 'take' },
  { from: 'queued', to: 'queued', via: 'reassign' },
  { from: 'queued', to: 'cancelled', via: 'cancel' },
  { from: 'queued', to: 'dead', via: 'expire' },
  // a late result: the lease lapsed and the run was requeued, but nobody took it since (same
  // epoch, same last owner); also a script completing a queued run from the CLI
  { from: 'queued', to: 'completed', via: 'complete' },
  { from: 'queued', to: 'failed', via: 'fail' },
  { from: 'queued', to: 'queued', via: 'retry' },
  { from: 'queued', to: 'dead', via: 'dead_letter' },
  { from: 'leased', to: 'completed', via: 'complete' },
  { from: 'leased', to: 'failed', via: 'fail' },
  { from: 'leased', to: 'queued', via: 'retry' },
  { from: 'leased', to: 'dead', via: 'dead_letter' },
  { from: 'leased', to: 'queued', via: 'owner_stale' },
  { from: 'leased', to: 'blocked', via: 'escalate' },
  { from: 'leased', to: 'blocked', via: 'block' },
  { from: 'leased', to: 'handoff_pending', via: 'offer_handoff' },
  { from: 'leased', to: 'cancelled', via: 'cancel' },
  { from: 'leased', to: 'queued', via: 'reassign' },
  { from: 'leased', to: 'leased', via: 'reassign' },
  { from: 'blocked', to: 'leased', via: 'unblock' },
  { from: 'blocked', to: 'completed', via: 'complete' },
  { from: 'blocked', to: 'failed', via: 'fail' },
  { from: 'blocked', to: 'queued', via: 'retry' },
  { from: 'blocked', to: 'dead', via: 'dead_letter' },
  { from: 'blocked', to: 'cancelled', via: 'cancel' },
  { from: 'blocked', to: 'queued', via: 'reassign' },
  { from: 'blocked', to: 'leased', via: 'reassign' },
  { from: 'handoff_pending', to: 'leased', via: 'accept_handoff' },
  { from: 'handoff_pending', to: 'leased', via: 'withdraw_handoff' },
  { from: 'handoff_pending', to: 'queued', via: 'owner_stale' },
  { from: 'handoff_pending', to: 'dead', via: 'dead_letter' },
  { from: 'handoff_pending', to: 'blocked', via: 'escalate' },
  { from: 'handoff_pending', to: 'cancelled', via: 'cancel' },
  { from: 'handoff_pending', to: 'queued', via: 'reassign' },
  { from: 'handoff_pending', to: 'leased', via: 'reassign' },
  { from: 'failed', to: 'queued', via: 'requeue' },
  { from: 'cancelled', to: 'queued', via: 'requeue' },
  { from: 'dead', to: 'queued', via: 'requeue' },
];

export function canTransition(from: RunState | null, to: RunState, via?: RunTransitionVia): boolean {
  return RUN_TRANSITIONS.some((t) => t.from === from && t.to === to && (via === undefined || t.via === via));
}

/** Throws INVALID_STATE when the move is not in the table. */
export function assertTransition(run: Pick<Run, 'id' | 'state'>, to: RunState, via: RunTransitionVia): void {
  if (!canTransition(run.state, to, via)) {
    throw invalidState(
      `run ${run.id} is ${run.state}; it cannot go to ${to} (${via})`,
      isFinished(run.state)
        ? 'the run is finished; an operator can start a new attempt with requeue_run'
        : 'read the run with get_run and act on its current state',
      { run_id: run.id, state: run.state },
    );
  }
}

export function isOwnedState(state: RunState): boolean {
  return (OWNED_STATES as readonly RunState[]).includes(state);
}

export function isFinished(state: RunState): boolean {
  return (FINISHED_STATES as readonly RunState[]).includes(state);
}

export interface RunResult {
  outcome: RunOutcome;
  summary: string;
  evidence: string[];
  risks: string[];
  /** who submitted it (an agent id, or `operator:NAME` / `script:NAME` for the CLI) */
  by: string;
  epoch: number;
  at: number;
}

export interface RunUsage {
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
}

export interface Run {
  id: string;
  title: string;
  type: string;
  instructions: string;
  /** inline context, or a reference to an artifact holding it */
  context: string | null;
  contextRef: string | null;
  origin: RunOrigin;
  toRole: string | null;
  toAgent: string | null;
  priority: number;
  state: RunState;
  deadReason: DeadReason | null;
  /** why the run is in its state: a cancel reason, `owner_stale` for an escalated run, … */
  stateReason: string | null;
  /** the agent holding the lease (set exactly in leased, blocked, handoff_pending) */
  ownerId: string | null;
  /** the owner of the latest lease, kept when the run is requeued (for the late-result rule) */
  lastOwnerId: string | null;
  /** increases on every take or transfer; writes carrying an older epoch get LEASE_LOST */
  leaseEpoch: number;
  leaseExpiresAt: number | null;
  /** how many times the run was leased (takes, starts, transfers to a new attempt) */
  attempts: number;
  maxAttempts: number;
  /** not delivered before this time (backoff) */
  availableAt: number;
  /** a queued run past this time is dead with reason `expired` (null: no TTL) */
  expiresAt: number | null;
  ttlSeconds: number | null;
  idempotencyKey: string | null;
  /** actor label of the submitter: an agent id, `operator:NAME`, `script:NAME` */
  submitter: string;
  parentRunId: string | null;
  expectedEvidence: string[];
  onStale: OnStale;
  createdAt: number;
  updatedAt: number;
  /** when the current (or last) lease was taken */
  takenAt: number | null;
  finishedAt: number | null;
  result: RunResult | null;
  lastError: string | null;
  retries: number;
  leaseExpiries: number;
  usage: RunUsage;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const MAX_MAX_ATTEMPTS = 100;
export const MAX_PRIORITY = 1_000;
export const MAX_TTL_SECONDS = 30 * 24 * 3600;
