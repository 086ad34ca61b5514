import type { RunMovedEventType } from '../../domain/event.js';
/**
 * Handoff steps inside a caller's transaction, shared by the handoff tools and the stale-agent
 * recovery (an expiry hook). Tx-only: must not import services/tx.ts.
 */
import { livenessAt } from '../../domain/agent.js';
import { ROLE_FANOUT_LIMIT, type Handoff, type WithdrawReason } from '../../domain/handoff.js';
import type { Run } from '../../domain/run.js';
import type { Tx } from '../../store/port/index.js';
import { clip, moveRun } from '../runs/transitions.js';

export interface HandoffDecision {
  handoff: Handoff;
  run: Run;
  /** claims that moved to the new owner (accept only) */
  claims: string[];
}

/**
 * Inside a caller's transaction: withdraws an offered handoff and, when its run still waits on it,
 * returns the run to the offerer (leased). Used by withdraw_handoff and by stale recovery.
 */
export async function withdrawHandoffIn(tx: Tx, handoff: Handoff, by: string, why: WithdrawReason, note: string | null, now: number): Promise<HandoffDecision | null> {
  const closed = await tx.handoffs.close(handoff.id, 'withdrawn', by, note ? `${why}: ${note}` : why, now);
  if (!closed) return null;
  let run = (await tx.runs.get(handoff.runId))!;
  if (run.state === 'handoff_pending' && run.ownerId === handoff.fromAgentId && run.leaseEpoch === handoff.offeredEpoch) {
    run = await returnToOfferer(tx, run, handoff, by, 'run.handoff_withdrawn', now);
  }
  await tx.events.append(
    { actor: by, type: 'handoff.withdrawn', agentId: handoff.fromAgentId, runId: handoff.runId, subjectId: handoff.id, payload: { reason: why, note } },
    now,
  );
  await notifyTargets(tx, closed, run, now, 'handoff_withdrawn', () =>
    `handoff ${handoff.id} of run ${handoff.runId} was withdrawn (${why}); nothing to accept any more`,
  );
  return { handoff: closed, run, claims: [] };
}

export async function returnToOfferer(tx: Tx, run: Run, handoff: Handoff, actor: string, type: RunMovedEventType, now: number): Promise<Run> {
  const offerer = await tx.agents.get(handoff.fromAgentId);
  const leaseMs = (offerer?.leaseSeconds ?? 300) * 1000;
  return await moveRun(tx, run, 'leased', 'withdraw_handoff', { leaseExpiresAt: now + leaseMs, stateReason: null }, now, {
    actor,
    type,
    payload: { handoff_id: handoff.id },
  });
}

/**
 * Signals the handoff's targets: the named agent, or up to ROLE_FANOUT_LIMIT active, unpaused
 * agents of the role (most recently seen first). Returns how many were signalled.
 */
export async function notifyTargets(
  tx: Tx,
  handoff: Handoff,
  run: Run,
  now: number,
  kind: 'handoff_offered' | 'handoff_withdrawn',
  message: (fromLabel: string) => string,
): Promise<number> {
  const from = await tx.agents.get(handoff.fromAgentId);
  const fromLabel = from ? `${from.name} (${from.id})` : handoff.fromAgentId;
  const payload = {
    handoff_id: handoff.id,
    from_agent_id: handoff.fromAgentId,
    title: run.title,
    summary: clip(handoff.summary, 300),
    next_action: clip(handoff.nextAction, 300),
    uri: `fleet://handoffs/${handoff.id}`,
  };
  const targets = handoff.toAgentId
    ? [handoff.toAgentId]
    : (await tx.agents
        .list())
        .filter((a) => a.role === handoff.toRole && a.id !== handoff.fromAgentId && !a.paused && livenessAt(a, now) === 'active')
        .sort((a, b) => b.lastSeenAt - a.lastSeenAt)
        .slice(0, ROLE_FANOUT_LIMIT)
        .map((a) => a.id);
  for (const agentId of targets) {
    await tx.signals.insert({ agentId, kind, runId: run.id, subjectId: handoff.id, message: message(fromLabel), payload }, now);
  }
  return targets.length;
}
