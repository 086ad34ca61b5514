import { actorLabel, type Actor } from '../../domain/actor.js';
import { forbidden } from '../../domain/errors.js';
import { isOwnedState, type Run } from '../../domain/run.js';
import type { Tx } from '../../store/port/index.js';
import { closeOrphanedBlockers } from '../blockers/steps/close.js';
import { releaseClaimsOfRun } from '../claims/steps/release.js';
import { closeOrphanedHandoffs } from '../handoffs/steps/close.js';
import type { Deps } from '../deps.js';
import { writeTx } from '../tx.js';
import { requireOpenRun } from './result.js';
import { finishPatch, moveRun, notifyRunFinished, signalAgent } from './steps/transitions.js';

export interface CancelInput {
  run_id: string;
  reason: string;
}

export interface CancelOutcome {
  run: Run;
  releasedClaims: string[];
  /** the agent that held the run and was told to stop */
  revokedOwner: string | null;
}

/** `cancel_task`: a submitter withdraws its own task, in any state before it finishes. */
export async function cancelTask(deps: Deps, actor: Actor, input: CancelInput): Promise<CancelOutcome> {
  const by = actorLabel(actor);
  return writeTx(deps, async (tx, now) => {
    const run = await requireOpenRun(tx, input.run_id);
    if (run.submitter !== by) {
      throw forbidden(`run ${run.id} was submitted by ${run.submitter}, not by you`, 'you can cancel only your own submissions; ask an operator (cancel_run) otherwise');
    }
    return await cancelRunTx(tx, run, by, input.reason, now);
  });
}

/** `cancel_run` (operator): cancels any open run. */
export async function cancelRunAsOperator(deps: Deps, actor: Actor, input: CancelInput): Promise<CancelOutcome> {
  requireOperator(actor);
  return writeTx(deps, async (tx, now) => await cancelRunTx(tx, await requireOpenRun(tx, input.run_id), actorLabel(actor), input.reason, now));
}

/**
 * Cancels inside the caller's transaction: revokes the lease (the epoch moves on, so the holder's
 * later writes get LEASE_LOST), releases the run's claims, tells the holder (`cancel`) and the
 * submitter (`run_finished`). Blockers reuse it for a `cancel` resolution.
 */
export async function cancelRunTx(tx: Tx, run: Run, by: string, reason: string, now: number): Promise<CancelOutcome> {
  const owner = isOwnedState(run.state) ? run.ownerId : null;
  const cancelled = await moveRun(
    tx,
    run,
    'cancelled',
    'cancel',
    { ...finishPatch(now), stateReason: reason, bumpEpoch: owner !== null },
    now,
    { actor: by, type: 'run.cancelled', payload: { reason, owner_id: owner } },
  );
  const releasedClaims = await releaseClaimsOfRun(tx, run.id, now, 'run_cancelled', by);
  await closeWaitsOnRun(tx, now);
  if (owner) {
    await signalAgent(tx, owner, 'cancel', cancelled, `run ${run.id} was cancelled by ${by}: ${reason}. Stop working on it; your claims on it are released`, { reason, by }, now);
  }
  if (run.submitter !== by) await notifyRunFinished(tx, cancelled, now);
  return { run: cancelled, releasedClaims, revokedOwner: owner };
}

/**
 * A run that stopped waiting (cancelled, reassigned, closed by the operator) ends its offered
 * handoff and open blocker in the same transaction, with their events and the targets' signals,
 * so nobody sees (or waits on) an offer or a question that no longer stands.
 */
export async function closeWaitsOnRun(tx: Tx, now: number): Promise<void> {
  await closeOrphanedHandoffs(tx, now);
  await closeOrphanedBlockers(tx, now);
}

export function requireOperator(actor: Actor): void {
  if (actor.kind !== 'operator' && actor.kind !== 'system') {
    throw forbidden('this is an operator action', 'operators act through `fleetdeck serve --operator` or the fleetdeck CLI');
  }
}
