import { createHash } from 'node:crypto';

/** One entry of the append-only audit log. `hash` chains it to the event before it. */
export interface FleetEvent {
  seq: number;
  at: number;
  actor: string;
  type: string;
  agentId: string | null;
  runId: string | null;
  subjectId: string | null;
  payload: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface NewEvent {
  actor: string;
  type: string;
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
