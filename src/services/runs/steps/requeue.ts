import { invalidState } from '../../../domain/errors.js';
import type { Run } from '../../../domain/run.js';
import type { Tx } from '../../../store/port/index.js';
import { moveRun, RELEASE_LEASE, signalAgent } from './transitions.js';

/** Inside the caller's transaction; a run aimed at one agent tells that agent it is back (`run_assigned`). */
export async function requeueRunInTx(tx: Tx, run: Run, by: string, reason: string, now: number): Promise<Run> {
  if (run.state !== 'dead' && run.state !== 'failed' && run.state !== 'cancelled') {
    throw invalidState(`run ${run.id} is ${run.state}; only dead, failed or cancelled runs can be requeued`, 'cancel_run or reassign_run act on open runs', { run_id: run.id, state: run.state });
  }
  const moved = await moveRun(
    tx,
    run,
    'queued',
    'requeue',
    {
      ...RELEASE_LEASE,
      deadReason: null,
      finishedAt: null,
      availableAt: now,
      expiresAt: run.ttlSeconds === null ? null : now + run.ttlSeconds * 1000,
      maxAttempts: Math.min(Math.max(run.maxAttempts, run.attempts + 1), 100),
      stateReason: 'requeued',
      bumpEpoch: true,
    },
    now,
    { actor: by, type: 'run.requeued', payload: { reason, previous_state: run.state, previous_dead_reason: run.deadReason } },
  );
  if (moved.toAgent) {
    await signalAgent(tx, moved.toAgent, 'run_assigned', moved, `run ${run.id} "${run.title}" was requeued for you: take_task to start it`, { reason, by, title: run.title, requeued: true }, now);
  }
  return moved;
}
