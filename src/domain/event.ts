import { createHash } from 'node:crypto';
import type { RunTransitionVia } from './run.js';

/**
 * Every audit event type, as a closed union: `<concept>.<what happened>`. A run's state changes
 * are `run.<via>` unless the transition names its own type (run.taken, run.completed, …).
 */
export const EVENT_TYPES = [
  'agent.registered', 'agent.resumed', 'agent.heartbeat', 'agent.stale', 'agent.revived', 'agent.paused', 'agent.unpaused', 'agent.forgotten',
  'claim.granted', 'claim.extended', 'claim.released', 'claim.expired', 'claim.transferred',
  'run.submitted', 'run.started', 'run.taken', 'run.completed', 'run.failed', 'run.retry_scheduled', 'run.dead_lettered',
  'run.expired', 'run.escalated', 'run.cancelled', 'run.blocked', 'run.unblocked', 'run.handoff_pending',
  'run.handoff_accepted', 'run.handoff_declined', 'run.handoff_withdrawn', 'run.reassigned', 'run.requeued',
  'handoff.offered', 'handoff.accepted', 'handoff.declined', 'handoff.withdrawn',
  'blocker.raised', 'blocker.resolved', 'blocker.obsolete',
  'artifact.attached', 'policy.fired', 'token.created', 'token.revoked',
  'external_task.received', 'external_task.rejected', 'external_task.completion_published',
] as const;

export type EventType = (typeof EVENT_TYPES)[number] | `run.${RunTransitionVia}`;

export const EVENT_CONCEPTS = ['agent', 'claim', 'run', 'handoff', 'blocker', 'artifact', 'policy', 'token', 'external_task'] as const;
export type EventConcept = (typeof EVENT_CONCEPTS)[number];

/** The concept an event is about: consumers switch on this, never on a prefix of the type. */
export function eventConcept(type: EventType): EventConcept {
  return type.slice(0, type.indexOf('.')) as EventConcept;
}

/** One entry of the append-only audit log. `hash` chains it to the event before it. */
export interface FleetEvent {
  seq: number;
  at: number;
  actor: string;
  type: EventType;
  agentId: string | null;
  runId: string | null;
  subjectId: string | null;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface NewEvent {
  actor: string;
  type: EventType;
  agentId?: string | null;
  runId?: string | null;
  subjectId?: string | null;
  payload?: Record<string, unknown>;
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
