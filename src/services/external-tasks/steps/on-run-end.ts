/**
 * The outbox's write side, a run-end hook (external-tasks/steps/lifecycle.ts): when a run from
 * another system that names a reply queue finishes, its completion is written to the outbox in
 * the same transaction, so the end of the run and the promise to announce it commit together or
 * not at all.
 */
import { completionOf } from '../../../domain/external-task.js';
import { isFinished } from '../../../domain/run.js';
import type { Tx } from '../../../store/port/index.js';
import type { RunEnd } from '../../lifecycle.js';

export async function recordRunEnd(tx: Tx, end: RunEnd, now: number): Promise<void> {
  if (!isFinished(end.run.state)) return;
  const link = await tx.externalTasks.byRun(end.run.id);
  if (!link || link.replyTo === null) return;
  await tx.externalTasks.enqueueCompletion({ runId: end.run.id, replyTo: link.replyTo, completion: completionOf(link, end.run, end.by) }, now);
}
