import type { Handoff, HandoffState } from '../../domain/handoff.js';

/** What a new handoff row needs: the handoff's own fields, as the domain names them. */
export type NewHandoffRow = Pick<
  Handoff,
  | 'id' | 'runId' | 'fromAgentId' | 'toAgentId' | 'toRole' | 'summary' | 'nextAction' | 'changedFiles'
  | 'evidence' | 'failedAttempts' | 'risks' | 'openQuestions' | 'offeredEpoch'
> & { now: number };

export interface HandoffListFilter {
  states?: HandoffState[];
  runId?: string;
  fromAgentId?: string;
  /** offered to this agent by id, or to one of `toRoles` */
  toAgentId?: string;
  toRole?: string;
  /** oldest first (aging view) when true; newest first otherwise */
  oldestFirst?: boolean;
  limit: number;
}

export interface HandoffRepo {
  /** Fails (UNIQUE) when the run already has an open handoff. */
  insert(row: NewHandoffRow): Promise<Handoff>;
  get(id: string): Promise<Handoff | null>;
  /** The run's handoffs in the order they were offered: its chain of owners. */
  listByRun(runId: string): Promise<Handoff[]>;
  openForRun(runId: string): Promise<Handoff | null>;
  /**
   * Closes an offered handoff in one conditional UPDATE … WHERE state = 'offered' RETURNING:
   * of two concurrent takers exactly one gets the row, the other gets null.
   */
  close(id: string, to: Exclude<HandoffState, 'offered'>, by: string, reason: string | null, now: number): Promise<Handoff | null>;
  list(filter: HandoffListFilter): Promise<Handoff[]>;
  /** Open handoffs offered by this agent. */
  listOpenFrom(agentId: string): Promise<Handoff[]>;
  /**
   * Open handoffs whose run moved on without them (no longer handoff_pending under the offerer at
   * the offered epoch: cancelled, reassigned, recovered by another path).
   */
  listOrphaned(limit: number): Promise<Handoff[]>;
  listIds(prefix: string, limit: number): Promise<string[]>;
  /** How many handoffs are offered, and since when the oldest waits (uses the open index). */
  openSummary(): Promise<{ count: number; oldestAt: number | null }>;
}
