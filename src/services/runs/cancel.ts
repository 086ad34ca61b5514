import { actorLabel, type Actor } from '../../domain/actor.js';
import { forbidden } from '../../domain/errors.js';
import type { Deps } from '../deps.js';
import { writeTx } from '../tx.js';
import { cancelRunInTx, type CancelOutcome } from './steps/cancel.js';
import { requireOpenRun, requireOperator } from './steps/fencing.js';

export type { CancelOutcome } from './steps/cancel.js';

export interface CancelInput {
  run_id: string;
  reason: string;
}

/** `cancel_task`: a submitter withdraws its own task, in any state before it finishes. */
export async function cancelTask(deps: Deps, actor: Actor, input: CancelInput): Promise<CancelOutcome> {
  const by = actorLabel(actor);
  return writeTx(deps, async (tx, now) => {
    const run = await requireOpenRun(tx, input.run_id);
    if (run.submitter !== by) {
      throw forbidden(`run ${run.id} was submitted by ${run.submitter}, not by you`, 'you can cancel only your own submissions; ask an operator (cancel_run) otherwise');
    }
    return await cancelRunInTx(tx, deps.lifecycle, run, by, input.reason, now);
  });
}

/** `cancel_run` (operator): cancels any open run. */
export async function cancelRunAsOperator(deps: Deps, actor: Actor, input: CancelInput): Promise<CancelOutcome> {
  requireOperator(actor);
  return writeTx(deps, async (tx, now) => await cancelRunInTx(tx, deps.lifecycle, await requireOpenRun(tx, input.run_id), actorLabel(actor), input.reason, now));
}
