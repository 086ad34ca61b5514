/**
 * The outbox's write side. Called by `moveRun` (services/runs/transitions.ts) whenever a run
 * enters a finished state, inside that same transaction: if the run came from another system
 * and names a reply queue, its completion is written to the outbox now, so the end of the run and
 * the promise to announce it commit together or not at all. Tx-only (no services/tx.ts import).
 */
import { completionOf } from '../../../domain/external-task.js';
import type { FleetEvent } from '../../../domain/event.js';
import type { Run } from '../../../domain/run.js';
import type { Tx } from '../../../store/port/index.js';

export async function recordRunEnd(tx: Tx, run: Run, endEvent: FleetEvent, now: number): Promise<void> {
  const link = await tx.externalTasks.byRun(run.id);
  if (!link || link.replyTo === null) return;
  await tx.externalTasks.enqueueCompletion({ runId: run.id, replyTo: link.replyTo, completion: completionOf(link, run, endEvent.actor) }, now);
}
