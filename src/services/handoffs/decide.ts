import { FleetError, forbidden, invalidState, notFound } from '../../domain/errors.js';
import { handoffTargetLabel, isHandoffTarget, type Handoff } from '../../domain/handoff.js';
import type { Run } from '../../domain/run.js';
import type { Tx } from '../../store/port/index.js';
import { newWorkMeter } from '../claims/budget.js';
import { compareHandover, handOverClaimsOfRun, newHandoverComparisons, snapshotHandover, verifyHandover, type HandoverComparisons, type NotReceived } from '../claims/steps/handover.js';
import type { Deps } from '../deps.js';
import { enforceLeaseLimit } from '../policy/enforce.js';
import { clip, moveRun, signalAgent } from '../runs/steps/transitions.js';
import { readTx, writeTx } from '../tx.js';
import { returnToOfferer, withdrawHandoffInTx, type HandoffDecision } from './steps/withdraw.js';
import { handoffView, type HandoffView } from './queries.js';


/**
 * The first eligible taker wins: in one transaction the handoff is closed by a conditional UPDATE
 * (… WHERE state = 'offered'), the run's owner becomes the acceptor with the lease epoch + 1 and a
 * fresh lease, and the run's claims move with it. The offerer is told, and its later writes on the
 * run get LEASE_LOST (its epoch is no longer current).
 *
 * A claim that would conflict with a scope another agent keeps (the giver's other runs included:
 * an agent's own claims never conflict) is released instead of moved, and listed in
 * `notReceived` for the taker to claim again. Its glob comparisons run before the write
 * transaction, as claim_scope's do (claims/handover.ts: snapshot → compare → verify).
 */
export async function acceptHandoff(deps: Deps, agentId: string, handoffId: string): Promise<AcceptDecision> {
  await enforceLeaseLimit(deps, agentId, 'accept_handoff');
  const meter = newWorkMeter();
  const comparisons = newHandoverComparisons();
  for (let attempt = 0; attempt < ACCEPT_ATTEMPTS; attempt++) {
    const snapshot = await readTx(deps, async (tx, now) => {
      const { run } = await loadOpen(tx, handoffId, agentId);
      return await snapshotHandover(tx, run.id, agentId, now);
    });
    await compareHandover(snapshot, comparisons, meter);
    const outcome = await writeTx(deps, async (tx, now) => await acceptIn(tx, agentId, handoffId, comparisons, now));
    if (outcome) return outcome;
  }
  throw new FleetError('BUSY', 'the claims overlapping this run kept changing while your accept was decided', 'call accept_handoff again');
}

/** Snapshot, compare, verify: at most this many rounds before BUSY (each round compares only newcomers). */
const ACCEPT_ATTEMPTS = 5;

export type AcceptDecision = HandoffDecision & { view: HandoffView; notReceived: NotReceived[] };

/** The accept's transaction; null (nothing written) when a claim to compare appeared since the snapshot. */
async function acceptIn(tx: Tx, agentId: string, handoffId: string, comparisons: HandoverComparisons, now: number): Promise<AcceptDecision | null> {
  const { handoff, run } = await loadOpen(tx, handoffId, agentId);
  const agent = (await tx.agents.get(agentId))!;
  if (agent.paused) throw invalidState('you are paused by the operator', 'wait until you are resumed (a resume signal), then accept', { handoff_id: handoffId });
  const conflicting = await verifyHandover(tx, run.id, agentId, now, comparisons);
  if (!conflicting) return null;
  const closed = await tx.handoffs.close(handoff.id, 'accepted', agentId, null, now);
  if (!closed) throw alreadyClosed(await tx.handoffs.get(handoff.id) ?? handoff);
  const moved = await moveRun(
    tx,
    run,
    'leased',
    'accept_handoff',
    { ownerId: agentId, lastOwnerId: agentId, bumpEpoch: true, leaseExpiresAt: now + agent.leaseSeconds * 1000, stateReason: null },
    now,
    { actor: agentId, type: 'run.handoff_accepted', payload: { handoff_id: handoff.id, from_agent_id: handoff.fromAgentId } },
  );
  const { moved: claims, notReceived } = await handOverClaimsOfRun(tx, run.id, agentId, now, conflicting, handoff.id);
  const released = notReceived.map((n) => n.claim.id);
  await tx.agents.applyHeartbeat(agentId, { currentRunId: run.id, status: 'working' });
  await tx.events.append(
    {
      actor: agentId,
      type: 'handoff.accepted',
      agentId,
      runId: run.id,
      subjectId: handoff.id,
      payload: { from_agent_id: handoff.fromAgentId, epoch: moved.leaseEpoch, claims, ...(released.length > 0 ? { claims_released: released } : {}) },
    },
    now,
  );
  await signalAgent(
    tx,
    handoff.fromAgentId,
    'handoff_accepted',
    moved,
    `${agent.name} (${agent.id}) accepted your handoff ${handoff.id} of run ${run.id}; the run${claims.length > 0 ? ` and its ${claims.length} claim(s)` : ''} are theirs now. Stop working on it: your writes on it get LEASE_LOST${releasedNote(notReceived)}`,
    { handoff_id: handoff.id, accepted_by: agent.id, epoch: moved.leaseEpoch, claims, ...(released.length > 0 ? { claims_released: released } : {}) },
    now,
  );
  return { handoff: closed, run: moved, claims, notReceived, view: await handoffView(tx, closed, now) };
}

/** For the giver: the run's claims that overlapped scopes kept elsewhere ended instead of moving. */
function releasedNote(notReceived: NotReceived[]): string {
  if (notReceived.length === 0) return '';
  const shown = notReceived.slice(0, 5).map((n) => `${n.claim.kind} ${n.claim.pattern}`).join(', ');
  const more = notReceived.length > 5 ? ` and ${notReceived.length - 5} more` : '';
  return `. ${notReceived.length} of the run's claims (${shown}${more}) overlapped scopes you or others keep, so they were released instead of moved; the taker must claim them again`;
}

/** A target declines with a reason: the run returns to the offerer, leased again. */
export async function declineHandoff(deps: Deps, agentId: string, handoffId: string, reason: string): Promise<HandoffDecision & { view: HandoffView }> {
  return writeTx(deps, async (tx, now) => {
    const { handoff, run } = await loadOpen(tx, handoffId, agentId);
    const agent = (await tx.agents.get(agentId))!;
    const closed = await tx.handoffs.close(handoff.id, 'declined', agentId, reason, now);
    if (!closed) throw alreadyClosed(await tx.handoffs.get(handoff.id) ?? handoff);
    const back = await returnToOfferer(tx, run, handoff, agentId, 'run.handoff_declined', now);
    await tx.events.append(
      { actor: agentId, type: 'handoff.declined', agentId: handoff.fromAgentId, runId: run.id, subjectId: handoff.id, payload: { reason } },
      now,
    );
    await signalAgent(
      tx,
      handoff.fromAgentId,
      'handoff_declined',
      back,
      `${agent.name} (${agent.id}) declined your handoff ${handoff.id} of run ${run.id}: ${clip(reason, 300)}. The run is yours again (leased): continue, or hand it to someone else`,
      { handoff_id: handoff.id, declined_by: agent.id, reason },
      now,
    );
    return { handoff: closed, run: back, claims: [], view: await handoffView(tx, closed, now) };
  });
}

/** The offerer takes its offer back: the run is leased to it again; the targets are told. */
export async function withdrawHandoff(deps: Deps, agentId: string, handoffId: string, reason?: string): Promise<HandoffDecision & { view: HandoffView }> {
  return writeTx(deps, async (tx, now) => {
    const handoff = await tx.handoffs.get(handoffId);
    if (!handoff) throw notFound('handoff', handoffId, 'list open handoffs with list_handoffs');
    if (handoff.fromAgentId !== agentId) throw forbidden(`handoff ${handoffId} was offered by ${handoff.fromAgentId}`, 'only the offerer withdraws a handoff; a target declines it');
    if (handoff.state !== 'offered') throw alreadyClosed(handoff);
    const closed = await withdrawHandoffInTx(tx, handoff, agentId, 'withdrawn', reason ?? null, now);
    if (!closed) throw alreadyClosed(await tx.handoffs.get(handoffId) ?? handoff);
    return { ...closed, view: await handoffView(tx, closed.handoff, now) };
  });
}

/** The handoff, open, offered to this agent, and its run still waiting on it. */
async function loadOpen(tx: Tx, handoffId: string, agentId: string): Promise<{ handoff: Handoff; run: Run }> {
  const handoff = await tx.handoffs.get(handoffId);
  if (!handoff) throw notFound('handoff', handoffId, 'list handoffs offered to you with list_handoffs');
  if (handoff.state !== 'offered') throw alreadyClosed(handoff);
  const agent = await tx.agents.get(agentId);
  if (!agent) throw notFound('agent', agentId);
  if (handoff.fromAgentId === agentId) {
    throw forbidden(`you offered handoff ${handoffId}`, 'the offerer cannot accept or decline its own handoff: withdraw_handoff instead');
  }
  if (!isHandoffTarget(handoff, agent)) {
    throw forbidden(`handoff ${handoffId} is offered to ${handoffTargetLabel(handoff)}`, 'only its target (that agent, or an agent of that role) can accept or decline it');
  }
  const run = await tx.runs.get(handoff.runId);
  if (!run || run.state !== 'handoff_pending' || run.ownerId !== handoff.fromAgentId || run.leaseEpoch !== handoff.offeredEpoch) {
    throw invalidState(`run ${handoff.runId} no longer waits on handoff ${handoffId}`, 'the run moved on (cancelled or reassigned); nothing to accept', {
      handoff_id: handoffId,
      run_state: run?.state ?? null,
    });
  }
  return { handoff, run };
}

function alreadyClosed(h: Handoff) {
  const by = h.decidedBy ? ` by ${h.decidedBy}` : '';
  return invalidState(`handoff ${h.id} is already ${h.state}${by}`, h.state === 'accepted' ? 'someone else took it first; take_task or list_handoffs for other work' : 'nothing to do; list_handoffs for open ones', {
    handoff_id: h.id,
    state: h.state,
    decided_by: h.decidedBy,
  });
}
