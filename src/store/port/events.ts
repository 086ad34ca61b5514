import type { FleetEvent, NewEvent } from '../../domain/event.js';

export interface EventQuery {
  afterSeq?: number;
  agentId?: string;
  runId?: string;
  subjectId?: string;
  types?: string[];
  limit: number;
  /** newest first when true (default oldest first after the cursor) */
  newestFirst?: boolean;
}

export interface EventRepo {
  /** Appends one event chained to the previous one; must run inside a write transaction. */
  append(event: NewEvent, now: number): FleetEvent;
  list(query: EventQuery): FleetEvent[];
  lastSeq(): number;
  /** Iterates every event in seq order, with the payload exactly as stored (for verification). */
  iterateRaw(): IterableIterator<RawEventRow>;
  count(): number;
}

export interface RawEventRow {
  seq: number;
  at: number;
  actor: string;
  type: string;
  agent_id: string | null;
  run_id: string | null;
  subject_id: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
}
