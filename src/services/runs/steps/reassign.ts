import { invalidState, notFound } from '../../../domain/errors.js';
import { isFinished, isOwnedState, type Run } from '../../../domain/run.js';
import type { Tx } from '../../../store/port/index.js';
import type { Lifecycle } from '../../lifecycle.js';
import { endAttempt } from './end.js';
import { moveRun, RELEASE_LEASE, signalAgent } from './transitions.js';

export interface ReassignOutcome {
  run: Run;
  revokedOwner: string | null;
  releasedClaims: string[];
}

/**
 * Inside the caller's transaction: revokes the current lease (the epoch moves on; the old owner
 * gets `lease_lost` and its claims on the run are released) and puts the run in the queue for the
 * new target, at once, with its attempts kept. An agent target gets `run_assigned` and receives
 * the run on its next take_task. Blockers reuse it for a `reassign` resolution.
 */
export async function reassignRunInTx(tx: Tx, lifecycle: Lifecycle, run: Run, target: { agentId?: string; role?: string }, by: string, reason: string, now: number): Promise<ReassignOutcome> {
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
  const { releasedClaims } = await endAttempt(tx, lifecycle, { before: run, run: moved, by, reason: 'run_reassigned' }, now);
  if (owner) {
    await signalAgent(tx, owner, 'lease_lost', moved, `run ${run.id} was reassigned by ${by}: ${reason}. Stop working on it; your claims on it are released`, { reason, by, epoch: moved.leaseEpoch }, now);
  }
  if (target.agentId) {
    await signalAgent(tx, target.agentId, 'run_assigned', moved, `run ${run.id} "${run.title}" was assigned to you: take_task to start it`, { reason, by, title: run.title, from_owner: owner }, now);
  }
  return { run: moved, revokedOwner: owner, releasedClaims };
}
