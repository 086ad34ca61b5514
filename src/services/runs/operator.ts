import { actorLabel, type Actor } from '../../domain/actor.js';
import { FleetError, invalidState, notFound } from '../../domain/errors.js';
import type { Run } from '../../domain/run.js';
import type { Deps } from '../deps.js';
import { writeTx } from '../tx.js';
import { requireOperator } from './steps/fencing.js';
import { reassignRunInTx, type ReassignOutcome } from './steps/reassign.js';
import { moveRun, RELEASE_LEASE } from './steps/transitions.js';

export type { ReassignOutcome } from './steps/reassign.js';

export interface RequeueInput {
  run_id: string;
  reason?: string;
}

/**
 * `requeue_run`: a dead, failed or cancelled run goes back to the queue for a new attempt. History
 * stays (events, the last result); the attempt budget grows by one if it was spent; a TTL starts
 * again from now; the epoch moves on so nothing from an earlier holder is accepted.
 */
export async function requeueRun(deps: Deps, actor: Actor, input: RequeueInput): Promise<Run> {
  requireOperator(actor);
  const by = actorLabel(actor);
  return writeTx(deps, async (tx, now) => {
    const run = await tx.runs.get(input.run_id);
    if (!run) throw notFound('run', input.run_id, 'list dead letters with fleet://queue or `fleetdeck dlq`');
    if (run.state !== 'dead' && run.state !== 'failed' && run.state !== 'cancelled') {
      throw invalidState(`run ${run.id} is ${run.state}; only dead, failed or cancelled runs can be requeued`, 'cancel_run or reassign_run act on open runs', { run_id: run.id, state: run.state });
    }
    return await moveRun(
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
      { actor: by, type: 'run.requeued', payload: { reason: input.reason ?? 'operator', previous_state: run.state, previous_dead_reason: run.deadReason } },
    );
  });
}

export interface ReassignInput {
  run_id: string;
  to_agent?: string;
  to_role?: string;
  reason?: string;
}

/** `reassign_run`: moves an open run to another agent or role. */
export async function reassignRun(deps: Deps, actor: Actor, input: ReassignInput): Promise<ReassignOutcome> {
  requireOperator(actor);
  if ((input.to_agent === undefined) === (input.to_role === undefined)) {
    throw new FleetError('INVALID_INPUT', 'give exactly one of to_agent and to_role', 'to_agent: that agent takes it next; to_role: any agent of the role');
  }
  return writeTx(deps, async (tx, now) => {
    const run = await tx.runs.get(input.run_id);
    if (!run) throw notFound('run', input.run_id, 'list runs with list_runs');
    return await reassignRunInTx(tx, deps.lifecycle, run, { agentId: input.to_agent, role: input.to_role }, actorLabel(actor), input.reason ?? 'reassigned by the operator', now);
  });
}
