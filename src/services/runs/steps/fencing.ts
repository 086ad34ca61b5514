import type { Actor } from '../../../domain/actor.js';
import { FleetError, forbidden, invalidState, notFound } from '../../../domain/errors.js';
import { isFinished, type Run } from '../../../domain/run.js';
import type { Tx } from '../../../store/port/index.js';

/** Why a run went back to the queue when its owner fell silent (the late-result rule reads it). */
export const OWNER_STALE = 'owner_stale';

/**
 * Fencing: every write an agent makes on a run (evidence, claims for a run, handoff, blocker,
 * result) goes through here first, inside the write transaction. The caller must be the run's
 * current owner and, when it says which lease it holds (`lease_epoch`), hold the current epoch.
 * Anything else is LEASE_LOST and the caller changes nothing.
 *
 * Throws NOT_FOUND (no such run), INVALID_STATE (the caller's own run is finished), LEASE_LOST
 * (not the owner, also of a run that finished under another owner; or an older epoch; or a lease
 * that lapsed and is not yet recovered).
 */
export async function requireRunWriter(tx: Tx, runId: string, agentId: string, leaseEpoch: number | undefined, now: number): Promise<Run> {
  const run = await tx.runs.get(runId);
  if (!run) throw notFound('run', runId, 'list your runs with list_runs or take one with take_task');
  // SPEC §3: a stale owner whose run moved on (and maybe finished under another owner) gets
  // LEASE_LOST; only the run's last owner is told that its own run is closed (INVALID_STATE)
  if (isFinished(run.state) && run.lastOwnerId !== agentId) throw leaseLost(run, agentId, leaseEpoch, `it is ${run.state}, and you were not its last owner`);
  if (isFinished(run.state)) {
    throw invalidState(`run ${runId} is already ${run.state}`, 'the run is closed; nothing more can be written to it', {
      run_id: runId,
      state: run.state,
    });
  }
  if (run.ownerId !== agentId) throw leaseLost(run, agentId, leaseEpoch);
  if (leaseEpoch !== undefined && leaseEpoch !== run.leaseEpoch) throw leaseLost(run, agentId, leaseEpoch);
  if (run.state === 'leased' && run.leaseExpiresAt !== null && run.leaseExpiresAt <= now) {
    throw leaseLost(run, agentId, leaseEpoch, 'your lease on it lapsed');
  }
  return run;
}

/**
 * The late-result rule: a result from the holder of the *current* epoch is accepted even when its
 * lease lapsed and the run went back to the queue, as long as nobody took it since (same epoch,
 * same last owner, still queued with reason `owner_stale`; a retry, cancel or reassign ends it). Returns the run and whether it is such a late result.
 */
export async function requireResultWriter(
  tx: Tx,
  runId: string,
  agentId: string,
  leaseEpoch: number | undefined,
  now: number,
): Promise<{ run: Run; late: boolean }> {
  const run = await tx.runs.get(runId);
  if (!run) throw notFound('run', runId, 'list your runs with list_runs or take one with take_task');
  if (
    run.state === 'queued' &&
    run.stateReason === OWNER_STALE &&
    run.ownerId === null &&
    run.lastOwnerId === agentId &&
    run.leaseEpoch > 0 &&
    (leaseEpoch === undefined || leaseEpoch === run.leaseEpoch)
  ) {
    return { run, late: true };
  }
  if (isFinished(run.state) && run.result && run.result.by === agentId && run.result.epoch === run.leaseEpoch) {
    throw invalidState(`run ${runId} already has your result (${run.result.outcome})`, 'a result is accepted once; nothing to do', {
      run_id: runId,
      state: run.state,
    });
  }
  // it was yours, and it was closed without your result (cancelled, reassigned, closed by the operator)
  if (isFinished(run.state) && run.lastOwnerId === agentId) throw leaseLost(run, agentId, leaseEpoch, `it was closed as ${run.state} without your result`);
  if (run.state === 'leased' && run.ownerId === agentId && (leaseEpoch === undefined || leaseEpoch === run.leaseEpoch)) {
    // a lapsed lease not yet recovered is still this agent's: nobody else holds the run
    return { run, late: false };
  }
  return { run: await requireRunWriter(tx, runId, agentId, leaseEpoch, now), late: false };
}

/**
 * `heartbeat` naming a run: the caller must hold it now (leased, blocked or handoff_pending). A run
 * it held that closed or moved on is LEASE_LOST, so a stale owner learns it, and nothing is written.
 */
export async function requireRunHolder(tx: Tx, runId: string, agentId: string, now: number): Promise<Run> {
  const run = await tx.runs.get(runId);
  if (run && isFinished(run.state) && run.lastOwnerId === agentId) throw leaseLost(run, agentId, undefined, `it is ${run.state}`);
  return await requireRunWriter(tx, runId, agentId, undefined, now);
}

export function leaseLost(run: Run, agentId: string, leaseEpoch: number | undefined, why?: string): FleetError {
  const reason =
    why ??
    (run.ownerId === null
      ? `it is ${run.state} with no owner`
      : run.ownerId === agentId
        ? `you hold epoch ${run.leaseEpoch}, not ${leaseEpoch}`
        : 'another agent holds it now');
  return new FleetError(
    'LEASE_LOST',
    `you no longer hold run ${run.id}: ${reason}`,
    'stop working on this run and discard local changes for it; take_task for new work',
    { run_id: run.id, state: run.state, lease_epoch: run.leaseEpoch, ...(leaseEpoch !== undefined ? { your_epoch: leaseEpoch } : {}) },
  );
}

export async function requireOpenRun(tx: Tx, runId: string): Promise<Run> {
  const run = await tx.runs.get(runId);
  if (!run) throw notFound('run', runId, 'list runs with list_runs');
  if (isFinished(run.state)) {
    throw invalidState(`run ${runId} is already ${run.state}`, 'a result is accepted once; requeue_run starts a new attempt', { run_id: runId, state: run.state });
  }
  return run;
}

/** Operator actions: only the operator (or the system) may take them. */
export function requireOperator(actor: Actor): void {
  if (actor.kind !== 'operator' && actor.kind !== 'system') {
    throw forbidden('this is an operator action', 'operators act through `fleetdeck serve --operator` or the fleetdeck CLI');
  }
}
