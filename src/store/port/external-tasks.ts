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
 * `claimPending` is the one atomic claim (UPDATE … RETURNING) several relays may race on.
 */
export interface ExternalTaskRepo {
  link(row: NewExternalTask, now: number): ExternalTask;
  byTask(origin: string, taskId: string): ExternalTask | null;
  byRun(runId: string): ExternalTask | null;
  /** records (or clears, with nulls) the result file a script worker reported */
  setResultRef(runId: string, resultRef: string | null, reportedBy: string | null): void;
  /** false when a completion for this end (`endSeq`, the ending audit event) is already there */
  enqueueCompletion(row: { runId: string; endSeq: number; replyTo: string; completion: Completion }, now: number): boolean;
  /**
   * Claims up to `limit` unpublished completions that are due and not held by another relay (or
   * whose hold lapsed), holding them for `holdMs`; oldest first.
   */
  claimPending(relayId: string, now: number, holdMs: number, limit: number): OutboxEntry[];
  /** stamps published_at if this relay still holds the row and it is unpublished; true when it did */
  markPublished(id: number, relayId: string, now: number): boolean;
  /** releases the hold and schedules another attempt at `retryAt`, keeping the error */
  deferPublish(id: number, relayId: string, error: string, retryAt: number): void;
  /** the completions of one run, oldest first */
  completionsOf(runId: string): OutboxEntry[];
  figures(): ExternalTaskFigures;
}
