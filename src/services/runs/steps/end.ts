/**
 * The one run lifecycle. Every way a run's attempt ends (complete, fail, dead-letter, cancel,
 * recovery of a silent owner, TTL expiry, reassign, a blocker decision) calls `endAttempt` right
 * after its `moveRun`, in the same transaction. It runs the run-end hooks the concepts registered
 * through `deps.lifecycle` (src/main.ts): the run's claims are released, its offered handoff and
 * open blocker closed, a run from another system answered through the outbox, the submitter told.
 * Each hook touches this run only.
 */
import { isFinished } from '../../../domain/run.js';
import type { Tx } from '../../../store/port/index.js';
import type { Lifecycle, RunEnd, RunEndReport } from '../../lifecycle.js';
import { notifyRunFinished } from './transitions.js';

export async function endAttempt(tx: Tx, lifecycle: Lifecycle, end: RunEnd, now: number): Promise<RunEndReport> {
  const report: RunEndReport = { releasedClaims: [] };
  for (const hook of lifecycle.runEndHooks) {
    const done = await hook(tx, end, now);
    if (done?.releasedClaims) report.releasedClaims.push(...done.releasedClaims);
  }
  return report;
}

/** Run-end hook: a finished run's submitting agent gets `run_finished`, unless it ended the run itself. */
export async function notifySubmitterAtRunEnd(tx: Tx, end: RunEnd, now: number): Promise<void> {
  if (isFinished(end.run.state) && end.run.submitter !== end.by) await notifyRunFinished(tx, end.run, now);
}
