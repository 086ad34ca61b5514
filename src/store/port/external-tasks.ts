import type { Completion, CompletionStatus, ExternalTask, NewExternalTask } from '../../domain/external-task.js';

/** One row of the completion outbox. */
export interface OutboxEntry {
  id: number;
  runId: string;
  taskId: string;
  replyTo: string;
  status: CompletionStatus;
  completion: Completion;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  publishedAt: number | null;
}

export interface ExternalTaskFigures {
  /** external tasks received (each task once, however often it was delivered) */
  received: number;
  completionsPublished: number;
  /** completions written but not yet published */
  backlog: number;
  /** creation time of the oldest unpublished completion */
  oldestBacklogAt: number | null;
}

/**
 * Runs that came from another system, and their completion outbox. Every method is one statement;
 * `claimPending` is the one atomic claim several relays may race on (SQLite: one UPDATE … RETURNING
 * under the write lock; PostgreSQL: FOR UPDATE SKIP LOCKED).
 */
export interface ExternalTaskRepo {
  link(row: NewExternalTask, now: number): Promise<ExternalTask>;
  byTask(origin: string, taskId: string): Promise<ExternalTask | null>;
  byRun(runId: string): Promise<ExternalTask | null>;
  /** records (or clears, with nulls) the result file a script worker reported */
  setResultRef(runId: string, resultRef: string | null, reportedBy: string | null): Promise<void>;
  /**
   * Writes the completion of the run's latest end (numbered after its earlier ends, unique per run
   * and number); returns the outbox id. Called in the transaction that ended the run, which holds
   * the run's row, so two ends of one run are never numbered at once.
   */
  enqueueCompletion(row: { runId: string; replyTo: string; completion: Completion }, now: number): Promise<number>;
  /**
   * Claims up to `limit` unpublished completions that are due and not held by another relay (or
   * whose hold lapsed), holding them for `holdMs`; oldest first.
   */
  claimPending(relayId: string, now: number, holdMs: number, limit: number): Promise<OutboxEntry[]>;
  /** stamps published_at if this relay still holds the row and it is unpublished; true when it did */
  markPublished(id: number, relayId: string, now: number): Promise<boolean>;
  /** releases the hold and schedules another attempt at `retryAt`, keeping the error */
  deferPublish(id: number, relayId: string, error: string, retryAt: number): Promise<void>;
  /** the completions of one run, oldest first */
  completionsOf(runId: string): Promise<OutboxEntry[]>;
  figures(): Promise<ExternalTaskFigures>;
}
