/**
 * Glossary: an external task is a run that came from another system — today the agentq bridge,
 * which turns RabbitMQ task envelopes into runs. The link keeps the task's own id (its
 * idempotency key there and here), who sent it, and where its completion goes (`replyTo`).
 * A completion is what that system hears when the run ends: one per end of the run.
 */
import type { DeadReason, Run } from './run.js';

export interface ExternalTask {
  runId: string;
  /** the system it came from, e.g. `agentq` */
  origin: string;
  taskId: string;
  /** who sent the task (the envelope's `from`) */
  sender: string;
  /** the worker target it was sent to (the envelope's `to`; the run's role) */
  target: string;
  /** the queue the completion is published to; null: nobody is told */
  replyTo: string | null;
  contextRef: string | null;
  /** set by a script worker that reported a result file (`agentq complete --result-file`) */
  resultRef: string | null;
  reportedBy: string | null;
  createdAt: number;
}

export type NewExternalTask = Omit<ExternalTask, 'createdAt' | 'resultRef' | 'reportedBy'>;

export const COMPLETION_STATUSES = ['completed', 'failed', 'dead', 'cancelled'] as const;
export type CompletionStatus = (typeof COMPLETION_STATUSES)[number];

/** The completion of an external task, as decided in the transaction that ended its run. */
export interface Completion {
  taskId: string;
  /** the worker target that answers (the task's `to`) */
  from: string;
  /** the task's sender (its `from`) */
  to: string;
  status: CompletionStatus;
  /** where the result lives: a result file, the first piece of evidence, or the run */
  resultRef: string;
  summary: string;
  runId: string;
  /** who produced the result (an agent id, operator:NAME), or who ended the run */
  by: string | null;
  deadReason: DeadReason | null;
  evidence: string[];
  attempts: number;
  finishedAt: number;
}

/** The completion for `run`, which has just ended (completed, failed, dead or cancelled). */
export function completionOf(link: ExternalTask, run: Run, endedBy: string): Completion {
  const status = run.state as CompletionStatus;
  const evidence = run.result?.evidence ?? [];
  const resultRef = link.resultRef ?? (evidence[0] ? `fleet://artifacts/${evidence[0]}` : `fleet://runs/${run.id}`);
  const summary =
    run.state === 'completed' || run.state === 'failed'
      ? (run.result?.summary ?? run.lastError ?? '')
      : run.state === 'dead'
        ? `dead letter (${run.deadReason ?? 'unknown'})${run.lastError ? `: ${run.lastError}` : ''}`
        : `cancelled${run.stateReason ? `: ${run.stateReason}` : ''}`;
  return {
    taskId: link.taskId,
    from: link.target,
    to: link.sender,
    status,
    resultRef,
    summary,
    runId: run.id,
    by: run.result?.by ?? endedBy,
    deadReason: run.deadReason,
    evidence,
    attempts: run.attempts,
    finishedAt: run.finishedAt ?? run.updatedAt,
  };
}
