/**
 * Recovery of runs whose owner went silent, TTL expiry of queued runs, and lease renewal: the
 * runs' part of the lifecycle (./lifecycle.ts).
 */
import type { Agent } from '../../../domain/agent.js';
import type { Run } from '../../../domain/run.js';
import type { Tx } from '../../../store/port/index.js';
import { raiseEscalationBlocker } from '../../blockers/steps/escalate.js';
import type { Lifecycle } from '../../lifecycle.js';
import { endAttempt } from './end.js';
import { OWNER_STALE } from './fencing.js';
import { finishPatch, moveRun, RELEASE_LEASE, signalAgent } from './transitions.js';

const BATCH = 100;

/**
 * Stale-agent hook: each run the agent holds in `leased` goes back to the queue at once (the
 * attempt counts; the lapsed lease was the delay), is escalated (`on_stale: escalate`), or is
 * dead-lettered (`on_stale: dead_letter`, or no attempts left). `blocked` runs wait on a person
 * and `handoff_pending` runs wait on the recipient: neither lapses.
 */
export async function recoverRunsOfStaleAgent(tx: Tx, agent: Agent, now: number, lifecycle: Lifecycle): Promise<void> {
  for (const run of await tx.runs.listOwnedBy(agent.id, ['leased'])) await recoverRun(tx, lifecycle, run, now);
}

/** Expiry step (safety net): a leased run whose own lease ran out is recovered like above. */
export async function recoverLapsedLeases(tx: Tx, now: number, lifecycle: Lifecycle): Promise<number> {
  const lapsed = await tx.runs.listLapsed(now, BATCH);
  for (const run of lapsed) await recoverRun(tx, lifecycle, run, now);
  return lapsed.length;
}

export async function recoverRun(tx: Tx, lifecycle: Lifecycle, run: Run, now: number): Promise<Run> {
  const owner = run.ownerId;
  const payload = { owner_id: owner, lease_expires_at: run.leaseExpiresAt, on_stale: run.onStale };
  let moved: Run;
  if (run.onStale === 'escalate') {
    moved = await escalateRun(tx, run, now);
  } else if (run.onStale === 'dead_letter' || run.attempts >= run.maxAttempts) {
    moved = await moveRun(
      tx,
      run,
      'dead',
      'dead_letter',
      {
        ...finishPatch(now),
        deadReason: run.onStale === 'dead_letter' ? 'non_retryable' : 'max_attempts',
        stateReason: OWNER_STALE,
        lastError: `owner ${owner} went silent (attempt ${run.attempts} of ${run.maxAttempts})`,
        bumpLeaseExpiries: true,
      },
      now,
      { actor: 'system', payload: { ...payload, reason: OWNER_STALE } },
    );
    await endAttempt(tx, lifecycle, { before: run, run: moved, by: 'system', reason: 'run_finished' }, now);
  } else {
    // epoch and last owner are kept: a late result from that owner is accepted until someone takes the run
    moved = await moveRun(
      tx,
      run,
      'queued',
      'owner_stale',
      { ...RELEASE_LEASE, stateReason: OWNER_STALE, availableAt: now, bumpLeaseExpiries: true },
      now,
      { actor: 'system', type: 'run.requeued', payload: { ...payload, reason: OWNER_STALE } },
    );
    // the attempt ended: whoever takes the run next claims its own scope
    await endAttempt(tx, lifecycle, { before: run, run: moved, by: 'system', reason: 'holder_stale' }, now);
  }
  if (owner && moved.state !== 'blocked') {
    await signalAgent(
      tx,
      owner,
      'lease_lost',
      moved,
      moved.state === 'queued'
        ? `your lease on run ${run.id} lapsed while you were silent; it is back in the queue. If you already finished, submit_result now: it counts until someone takes the run`
        : `your lease on run ${run.id} lapsed while you were silent; the run is ${moved.state}`,
      { state: moved.state, epoch: run.leaseEpoch, reason: OWNER_STALE },
      now,
    );
  }
  return moved;
}

/**
 * `on_stale: escalate`: the run waits for an operator in `blocked` with reason `owner_stale`; its
 * lease no longer lapses, and an operator blocker (origin `escalation`) asks what to do with it.
 */
export async function escalateRun(tx: Tx, run: Run, now: number): Promise<Run> {
  const blocked = await moveRun(
    tx,
    run,
    'blocked',
    'escalate',
    { stateReason: OWNER_STALE, leaseExpiresAt: null, bumpLeaseExpiries: true },
    now,
    { actor: 'system', type: 'run.escalated', payload: { owner_id: run.ownerId, reason: OWNER_STALE } },
  );
  await raiseEscalationBlocker(tx, blocked, run.ownerId, now);
  return await tx.runs.get(run.id) ?? blocked;
}

/** Expiry step: a queued run past its TTL is dead with reason `expired` and is never delivered. */
export async function expireQueuedRuns(tx: Tx, now: number, lifecycle: Lifecycle): Promise<number> {
  const due = await tx.runs.listTtlExpired(now, BATCH);
  for (const run of due) {
    const dead = await moveRun(
      tx,
      run,
      'dead',
      'expire',
      { ...finishPatch(now), deadReason: 'expired', stateReason: 'ttl' },
      now,
      { actor: 'system', type: 'run.expired', payload: { ttl_seconds: run.ttlSeconds, expires_at: run.expiresAt } },
    );
    await endAttempt(tx, lifecycle, { before: run, run: dead, by: 'system', reason: 'run_finished' }, now);
  }
  return due.length;
}

/** Renewer: a sign of life extends the agent's run leases to its own lease expiry (one UPDATE). */
export async function renewRunLeases(tx: Tx, agent: Agent, now: number): Promise<{ runs: string[] }> {
  return { runs: await tx.runs.renewLeases(agent.id, now + agent.leaseSeconds * 1000, now) };
}
