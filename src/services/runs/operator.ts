import { actorLabel, type Actor } from '../../domain/actor.js';
import { FleetError, invalidState, notFound } from '../../domain/errors.js';
import { isFinished, isOwnedState, type Run } from '../../domain/run.js';
import type { Tx } from '../../store/port/index.js';
import { releaseClaimsOfRun } from '../claims/release.js';
import type { Deps } from '../deps.js';
import { writeTx } from '../tx.js';
import { closeWaitsOnRun, requireOperator } from './cancel.js';
import { moveRun, RELEASE_LEASE, signalAgent } from './transitions.js';

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
    return await requeueRunTx(tx, run, by, input.reason ?? 'operator', now);
  });
}

/** Inside the caller's transaction; a run aimed at one agent tells that agent it is back (`run_assigned`). */
export async function requeueRunTx(tx: Tx, run: Run, by: string, reason: string, now: number): Promise<Run> {
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

export interface ReassignInput {
  run_id: string;
  to_agent?: string;
  to_role?: string;
  reason?: string;
}

export interface ReassignOutcome {
  run: Run;
  revokedOwner: string | null;
  releasedClaims: string[];
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
    return await reassignRunTx(tx, run, { agentId: input.to_agent, role: input.to_role }, actorLabel(actor), input.reason ?? 'reassigned by the operator', now);
  });
}

/**
 * Inside the caller's transaction: revokes the current lease (the epoch moves on; the old owner
 * gets `lease_lost` and its claims on the run are released) and puts the run in the queue for the
 * new target, at once, with its attempts kept. An agent target gets `run_assigned` and receives
 * the run on its next take_task. Blockers reuse it for a `reassign` resolution.
 */
export async function reassignRunTx(tx: Tx, run: Run, target: { agentId?: string; role?: string }, by: string, reason: string, now: number): Promise<ReassignOutcome> {
  if (isFinished(run.state)) {
    throw invalidState(`run ${run.id} is ${run.state}`, 'requeue_run starts a new attempt of a finished run', { run_id: run.id, state: run.state });
  }
  if (target.agentId !== undefined && !await tx.agents.get(target.agentId)) {
    throw notFound('agent', target.agentId, 'reassign to a registered agent (fleet://agents) or to a role');
  }
  const owner = isOwnedState(run.state) ? run.ownerId : null;
  const moved = await moveRun(
    tx,
    run,
    'queued',
    'reassign',
    {
      ...RELEASE_LEASE,
      toAgent: target.agentId ?? null,
      toRole: target.role ?? run.toRole,
      availableAt: now,
      stateReason: 'reassigned',
      bumpEpoch: owner !== null,
    },
    now,
    {
      actor: by,
      type: 'run.reassigned',
      payload: { reason, from_owner: owner, to_agent: target.agentId ?? null, to_role: target.role ?? null },
    },
  );
  const releasedClaims = owner ? await releaseClaimsOfRun(tx, run.id, now, 'run_reassigned', by) : [];
  await closeWaitsOnRun(tx, now);
  if (owner) {
    await signalAgent(tx, owner, 'lease_lost', moved, `run ${run.id} was reassigned by ${by}: ${reason}. Stop working on it; your claims on it are released`, { reason, by, epoch: moved.leaseEpoch }, now);
  }
  if (target.agentId) {
    await signalAgent(tx, target.agentId, 'run_assigned', moved, `run ${run.id} "${run.title}" was assigned to you: take_task to start it`, { reason, by, title: run.title, from_owner: owner }, now);
  }
  return { run: moved, revokedOwner: owner, releasedClaims };
}
