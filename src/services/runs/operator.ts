import { actorLabel, type Actor } from '../../domain/actor.js';
import { FleetError, notFound } from '../../domain/errors.js';
import type { Run } from '../../domain/run.js';
import type { Deps } from '../deps.js';
import { writeTx } from '../tx.js';
import { requireOperator } from './steps/fencing.js';
import { reassignRunInTx, type ReassignOutcome } from './steps/reassign.js';
import { requeueRunInTx } from './steps/requeue.js';

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
    return await requeueRunInTx(tx, run, by, input.reason ?? 'operator', now);
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
