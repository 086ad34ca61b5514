import { createHash } from 'node:crypto';
import type { RunState, RunTransitionVia } from './run.js';

/**
 * Every audit event type, as a closed union: `<concept>.<what happened>`. A run's state changes
 * are `run.<via>` unless the transition names its own type (run.taken, run.completed, …).
 */
export const RUN_EVENT_TYPES = [
  'run.submitted', 'run.started', 'run.taken', 'run.completed', 'run.failed', 'run.retry_scheduled', 'run.dead_lettered',
  'run.expired', 'run.escalated', 'run.cancelled', 'run.blocked', 'run.unblocked', 'run.handoff_pending',
  'run.handoff_accepted', 'run.handoff_declined', 'run.handoff_withdrawn', 'run.reassigned', 'run.requeued',
] as const;

export const EVENT_TYPES = [
  'agent.registered', 'agent.resumed', 'agent.heartbeat', 'agent.stale', 'agent.revived', 'agent.paused', 'agent.unpaused', 'agent.forgotten',
  'claim.granted', 'claim.extended', 'claim.released', 'claim.expired', 'claim.transferred', 'claim.workspace_moved',
  ...RUN_EVENT_TYPES,
  'handoff.offered', 'handoff.accepted', 'handoff.declined', 'handoff.withdrawn',
  'blocker.raised', 'blocker.resolved', 'blocker.obsolete',
  'artifact.attached', 'policy.fired', 'token.created', 'token.revoked',
  'external_task.received', 'external_task.rejected', 'external_task.completion_published',
  'retention.applied',
] as const;

/** The run events that `moveRun` writes when a transition names no type of its own: `run.<via>`. */
export type RunViaEventType = `run.${RunTransitionVia}`;
export type EventType = (typeof EVENT_TYPES)[number] | RunViaEventType;

export const EVENT_CONCEPTS = ['agent', 'claim', 'run', 'handoff', 'blocker', 'artifact', 'policy', 'token', 'external_task', 'retention'] as const;
export type EventConcept = (typeof EVENT_CONCEPTS)[number];

/** The concept an event is about: consumers switch on this, never on a prefix of the type. */
export function eventConcept(type: EventType): EventConcept {
  return type.slice(0, type.indexOf('.')) as EventConcept;
}

/** What every event about a run's state says: the state it left (null when it began) and the one it is in. */
export type RunStatePayload = {
  from?: RunState | null;
  state: RunState;
  epoch?: number;
  attempt?: number;
};

/**
 * A state change through `moveRun` (services/runs/transitions.ts): the move, and the details its
 * caller adds (each is optional: which ones depends on the way the run moved).
 */
export type RunMovedPayload = RunStatePayload & {
  from: RunState | null;
  epoch: number;
  attempt: number;
  dead_reason?: string;
  reason?: string;
  owner_id?: string | null;
  from_owner?: string | null;
  to_agent?: string | null;
  to_role?: string | null;
  blocker_id?: string;
  handoff_id?: string;
  from_agent_id?: string;
  kind?: string;
  decision?: string | null;
  previous_state?: RunState;
  previous_dead_reason?: string | null;
  lease_expires_at?: number | null;
  on_stale?: string;
  ttl_seconds?: number | null;
  expires_at?: number | null;
  late?: boolean;
  retryable?: boolean;
  summary?: string;
  evidence?: unknown;
  risks?: unknown;
  by?: string;
  available_at?: number;
  delay_ms?: number;
  attempts_left?: number;
};

/**
 * A claim's scope as its events record it. Open on purpose: a claim event may carry more about
 * where the scope lies (a location) without every reader having to know it.
 */
export type ClaimScopePayload = {
  workspace: string;
  kind: string;
  pattern: string;
  mode: string;
  [detail: string]: unknown;
};

export type TokenPayload = {
  kind: string;
  label: string | null;
  /** the credential whose creation revoked this one */
  with?: string;
};

/** An event type's payload: the compiler checks every `append` and every reader against it. */
export interface EventPayloads {
  'agent.registered': { name: string; role: string | null; workspace: string | null; capabilities: readonly string[] };
  'agent.resumed': Record<string, never>;
  'agent.heartbeat': { status?: string; note?: string | null; progress?: unknown; usage?: unknown };
  'agent.stale': { last_seen_at: number; lease_seconds: number };
  'agent.revived': { stale_since: number | null };
  'agent.paused': { reason: string | null };
  'agent.unpaused': { reason: string | null };
  'agent.forgotten': { name: string; role: string; stale_since: number | null };
  'claim.granted': ClaimScopePayload & { expires_at: number; ttl_seconds: number; reason?: string };
  'claim.extended': ClaimScopePayload & { expires_at: number; ttl_seconds: number };
  'claim.released': ClaimScopePayload & { reason: string | null };
  'claim.expired': ClaimScopePayload & { reason: string | null };
  'claim.transferred': ClaimScopePayload & { from_agent_id: string | null; to_agent_id: string };
  /** active claims of a directory workspace moved to its repository's identity (issue 17) */
  'claim.workspace_moved': { from: string; to: string; claim_ids: string[]; claims: number };
  'run.submitted': RunStatePayload & {
    state: 'queued';
    title: string;
    type: string;
    to_role: string | null;
    to_agent: string | null;
    priority: number;
    max_attempts: number;
    ttl_seconds: number | null;
    parent_run_id: string | null;
    expected_evidence: unknown;
    on_stale: string;
    idempotency_key?: string;
  };
  'run.started': RunStatePayload & { state: 'leased'; title: string; type: string; epoch: number; attempt: number; parent_run_id: string | null };
  'run.taken': RunStatePayload & { from: 'queued'; state: 'leased'; epoch: number; attempt: number; lease_expires_at: number | null; waited_ms: number };
  'run.completed': RunMovedPayload;
  'run.failed': RunMovedPayload;
  'run.retry_scheduled': RunMovedPayload;
  'run.dead_lettered': RunMovedPayload;
  'run.expired': RunMovedPayload;
  'run.escalated': RunMovedPayload;
  'run.cancelled': RunMovedPayload;
  'run.blocked': RunMovedPayload;
  'run.unblocked': RunMovedPayload;
  'run.handoff_pending': RunMovedPayload;
  'run.handoff_accepted': RunMovedPayload;
  'run.handoff_declined': RunMovedPayload;
  'run.handoff_withdrawn': RunMovedPayload;
  'run.reassigned': RunMovedPayload;
  'run.requeued': RunMovedPayload;
  'handoff.offered': { to_agent_id: string | null; to_role: string | null; summary: string; next_action: string; evidence: unknown; changed_files: number };
  'handoff.accepted': { from_agent_id: string; epoch: number; claims: unknown; claims_released?: unknown };
  'handoff.declined': { reason: string | null };
  'handoff.withdrawn': { reason: string; note: string | null };
  'blocker.raised': { kind: string; origin: string; question: string; options: unknown; evidence: unknown; policy_rule?: string };
  'blocker.resolved': { decision: string; text?: string; option?: string; reassigned_to?: string; kind: string; origin: string };
  'blocker.obsolete': { reason: string };
  'artifact.attached': { kind: string; name: string | null; media_type: string | null; bytes: number; sha256: string };
  'policy.fired': { rule: string; outcome: 'refused' | 'blocker_raised'; action?: string; held?: number; max?: number; runs?: readonly string[]; reason?: string; scopes?: unknown; run_type?: string };
  'token.created': TokenPayload;
  'token.revoked': TokenPayload;
  'external_task.received': { origin: string; task_id: string; from: string | null; to: string; reply_to: string | null; context_ref: string | null };
  'external_task.rejected': { origin: string; task_id: string | null; source: string | null; reason: string; bytes: number | null };
  'external_task.completion_published': { task_id: string; reply_to: string | null; status: string; outbox_id: number | string; attempts: number };
  /** how many rows of each kind one retention batch removed (services/retention/apply.ts) */
  'retention.applied': {
    runs?: number;
    artifacts?: number;
    handoffs?: number;
    blockers?: number;
    claims?: number;
    signals?: number;
    blobs?: number;
    tokens?: number;
    before?: number;
  };
}

/** Compile-time: every named event type has its payload in EventPayloads (else this line fails to compile). */
const _everyTypeHasAPayload: [Exclude<(typeof EVENT_TYPES)[number], keyof EventPayloads>] extends [never] ? true : false = true;
void _everyTypeHasAPayload;

/** `run.<via>` events carry the move like every other run state change. */
export type EventPayload<T extends EventType> = T extends keyof EventPayloads ? EventPayloads[T] : T extends RunViaEventType ? RunMovedPayload : never;

/** The event types about a run's state: each payload is a RunStatePayload. */
export type RunEventType = (typeof RUN_EVENT_TYPES)[number] | RunViaEventType;

/** The event types whose payload is a move through `moveRun`: what a transition may name as its type. */
export type RunMovedEventType = { [K in EventType]: EventPayload<K> extends RunMovedPayload ? K : never }[EventType];

interface EventOf<T extends EventType> {
  seq: number;
  at: number;
  actor: string;
  type: T;
  agentId: string | null;
  runId: string | null;
  subjectId: string | null;
  payload: EventPayload<T>;
  prevHash: string;
  hash: string;
}

/**
 * One entry of the append-only audit log. `hash` chains it to the event before it. A union over
 * the event types: test `type` (or `eventConcept`, `isRunEvent`) and the payload narrows with it.
 */
export type FleetEvent<T extends EventType = EventType> = { [K in T]: EventOf<K> }[T];

/** An event to append; `append<T>` checks its payload against its type. */
export type NewEvent<T extends EventType = EventType> = {
  [K in T]: {
    actor: string;
    type: K;
    agentId?: string | null;
    runId?: string | null;
    subjectId?: string | null;
    payload: EventPayload<K>;
  };
}[T];

/** Whether `e` is one of `types` (an explicit set, never a prefix): its payload narrows to theirs. */
export function isEventOf<T extends EventType>(e: FleetEvent, ...types: T[]): e is Extract<FleetEvent, { type: T }> {
  return (types as EventType[]).includes(e.type);
}

/** Every event whose concept is a run: each says the state the run is in. */
export function isRunEvent(e: FleetEvent): e is FleetEvent<RunEventType> {
  return eventConcept(e.type) === 'run';
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash covers every column an attacker could edit, in a fixed order, with the payload as
 * the exact JSON text stored (so verification never depends on re-serialising objects).
 */
export function eventHash(e: {
  seq: number;
  at: number;
  actor: string;
  type: string;
  agentId: string | null;
  runId: string | null;
  subjectId: string | null;
  payloadJson: string;
  prevHash: string;
}): string {
  const fields = [e.prevHash, e.seq, e.at, e.actor, e.type, e.agentId, e.runId, e.subjectId, e.payloadJson];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}
