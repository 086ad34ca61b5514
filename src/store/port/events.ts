import type { EventType, FleetEvent, NewEvent } from '../../domain/event.js';

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
  /**
   * Appends one event chained to the previous one; must run inside a write transaction. Generic over
   * the type, so the payload is checked against that type's (domain/event.ts `EventPayloads`).
   */
  append<T extends EventType>(event: NewEvent<T>, now: number): Promise<FleetEvent<T>>;
  list(query: EventQuery): Promise<FleetEvent[]>;
  lastSeq(): Promise<number>;
  /** Up to `limit` events after `afterSeq` in seq order, payload exactly as stored (for verification, paged). */
  listRaw(afterSeq: number, limit: number): Promise<RawEventRow[]>;
  count(): Promise<number>;
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
