import { notFound } from '../../domain/errors.js';
import { isRunEvent } from '../../domain/event.js';
import { LIMITS } from '../../domain/limits.js';
import type { Run } from '../../domain/run.js';
import type { ChangeFeed } from '../change-feed.js';
import type { Handoff } from '../../domain/handoff.js';
import type { Deps } from '../deps.js';
import { handoffsWaitingFor } from '../handoffs/waiting.js';
import { recordSignOfLife } from '../liveness.js';
import { enforceLeaseLimit } from '../policy/enforce.js';
import { writeTx } from '../tx.js';

export interface TakeInput {
  /** long-poll up to this many seconds (≤ 110) for a run to become eligible */
  wait_seconds?: number;
}

export interface TakeOutcome {
  run: Run | null;
  /** when nothing was leased: handoffs offered to the agent or its role (accept_handoff takes them) */
  waitingHandoffs: Handoff[];
  /** why nothing was leased */
  reason?: 'empty' | 'paused' | 'aborted' | 'handoff_waiting';
  waitedMs: number;
}

type Attempt = { run: Run } | { run: null; paused: boolean; seq: number; nextAvailableAt: number | null; waitingHandoffs: Handoff[] };

/**
 * Leases the best eligible run to the agent (one UPDATE … RETURNING in a BEGIN IMMEDIATE
 * transaction: two takers, in any processes, never get the same run). With `wait_seconds`, an
 * empty answer waits on the change feed from the seq read in the same transaction as the empty
 * check, so a submit committed in between by any process is not missed; it also wakes when a
 * delayed run's backoff ends, and returns at once when the request is aborted.
 */
export async function takeTask(deps: Deps, feed: ChangeFeed, agentId: string, input: TakeInput, signal?: AbortSignal): Promise<TakeOutcome> {
  await enforceLeaseLimit(deps, agentId, 'take_task');
  const waitMs = Math.min(Math.max(input.wait_seconds ?? 0, 0), LIMITS.waitSeconds) * 1000;
  const started = performance.now();
  for (let round = 0; ; round++) {
    // an aborted request must not lease a run its caller will never see
    if (signal?.aborted) return { run: null, reason: 'aborted', waitedMs: performance.now() - started, waitingHandoffs: [] };
    const attempt = await writeTx(deps, async (tx, now): Promise<Attempt> => {
      const agent = await tx.agents.get(agentId);
      if (!agent) throw notFound('agent', agentId, 'register_agent again');
      // after a long wait the caller is still here: that is a sign of life (the pipeline recorded the first)
      if (round > 0) await recordSignOfLife(tx, agentId, now, false);
      if (agent.paused) return { run: null, paused: true, seq: 0, nextAvailableAt: null, waitingHandoffs: [] };
      const run = await tx.runs.takeNext(agentId, agent.role, now, now + agent.leaseSeconds * 1000);
      if (!run) {
        const waitingHandoffs = await handoffsWaitingFor(tx, agent);
        return { run: null, paused: false, seq: await tx.events.lastSeq(), nextAvailableAt: await tx.runs.nextAvailableAt(agentId, agent.role, now), waitingHandoffs };
      }
      await tx.agents.applyHeartbeat(agentId, { currentRunId: run.id, status: 'working' });
      await tx.events.append(
        {
          actor: agentId,
          type: 'run.taken',
          agentId,
          runId: run.id,
          payload: { from: 'queued', state: 'leased', epoch: run.leaseEpoch, attempt: run.attempts, lease_expires_at: run.leaseExpiresAt, waited_ms: Math.round(performance.now() - started) },
        },
        now,
      );
      return { run };
    });
    const waited = performance.now() - started;
    if (attempt.run) return { run: attempt.run, waitedMs: waited, waitingHandoffs: [] };
    if (attempt.paused) return { run: null, reason: 'paused', waitedMs: waited, waitingHandoffs: [] };
    // a waiting handoff is work for this agent: answer at once rather than wait for the queue
    if (attempt.waitingHandoffs.length > 0) return { run: null, reason: 'handoff_waiting', waitedMs: waited, waitingHandoffs: attempt.waitingHandoffs };
    const remaining = waitMs - waited;
    if (remaining <= 0) return { run: null, reason: 'empty', waitedMs: waited, waitingHandoffs: [] };
    const untilBackoffEnds = attempt.nextAvailableAt === null ? Infinity : Math.max(attempt.nextAvailableAt - deps.clock.now(), 5);
    // any run (re)entering the queue may be ours: submitted, requeued, retried, reassigned
    await feed.waitFor((e) => e.runId !== null && isRunEvent(e) && e.payload.state === 'queued', attempt.seq, Math.min(remaining, untilBackoffEnds), signal);
  }
}
