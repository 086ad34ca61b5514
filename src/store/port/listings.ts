import type { FleetEvent } from '../../domain/event.js';
import type { Run, RunState } from '../../domain/run.js';

/**
 * Paged, counted lists for the operator's console: every filter runs in SQL on an index, pages
 * follow a keyset cursor (never an offset), and counts are exact.
 */
export interface EventListQuery {
  /** the concept before the dot: `run`, `blocker`, … (index events_by_family) */
  family?: string;
  /** an exact type (index events_by_type, migration 012) */
  type?: string;
  agentId?: string;
  runId?: string;
  /** leave out agent.heartbeat (index events_without_heartbeats) */
  hideHeartbeats: boolean;
}

export interface RunListQuery {
  state: RunState;
  role?: string;
  /** the run's owner, last owner or target agent */
  agentId?: string;
  type?: string;
  /** case-insensitive text in the id, title or instructions */
  text?: string;
  /** only runs no agent ever took (attempts = 0): a dead one expired in the queue */
  neverTried?: boolean;
}

/** `newest`: created_at, id descending. `take`: the order take_task takes queued runs (priority desc, oldest first). */
export type RunOrder = 'newest' | 'take';

export type RunCursor = { order: 'newest'; createdAt: number; id: string } | { order: 'take'; priority: number; createdAt: number; seq: number };

export interface ListingRepo {
  /** newest first, strictly before `beforeSeq` */
  events(q: EventListQuery, beforeSeq: number | null, limit: number): Promise<FleetEvent[]>;
  countEvents(q: EventListQuery): Promise<number>;
  /** runs of one state in `order`, strictly after `cursor`; each with the position a cursor is made of */
  runs(q: RunListQuery, order: RunOrder, cursor: RunCursor | null, limit: number): Promise<{ run: Run; seq: number }[]>;
  countRuns(q: RunListQuery): Promise<number>;
}
