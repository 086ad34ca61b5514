import { isOwnedState, type Run } from '../../../domain/run.js';
import type { Tx } from '../../../store/port/index.js';
import type { Lifecycle } from '../../lifecycle.js';
import { endAttempt } from './end.js';
import { finishPatch, moveRun, signalAgent } from './transitions.js';

export interface CancelOutcome {
  run: Run;
  releasedClaims: string[];
  /** the agent that held the run and was told to stop */
  revokedOwner: string | null;
}

/**
 * Cancels inside the caller's transaction: revokes the lease (the epoch moves on, so the holder's
 * later writes get LEASE_LOST), ends the attempt (its claims, handoff and blocker; the submitter
 * is told) and tells the holder (`cancel`). Blockers reuse it for a `cancel` resolution.
 */
export async function cancelRunInTx(tx: Tx, lifecycle: Lifecycle, run: Run, by: string, reason: string, now: number): Promise<CancelOutcome> {
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
  const { releasedClaims } = await endAttempt(tx, lifecycle, { before: run, run: cancelled, by, reason: 'run_cancelled' }, now);
  if (owner) {
    await signalAgent(tx, owner, 'cancel', cancelled, `run ${run.id} was cancelled by ${by}: ${reason}. Stop working on it; your claims on it are released`, { reason, by }, now);
  }
  return { run: cancelled, releasedClaims, revokedOwner: owner };
}
