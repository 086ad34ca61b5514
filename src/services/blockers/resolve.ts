import { actorLabel, type Actor } from '../../domain/actor.js';
import { livenessAt } from '../../domain/agent.js';
import { DECISION_EFFECT, decisionMessage, decisionProblem, type Blocker, type DecisionInput } from '../../domain/blocker.js';
import { FleetError, forbidden, invalidState, notFound } from '../../domain/errors.js';
import { grantKey, subjectScopes } from '../../domain/policy.js';
import type { Run } from '../../domain/run.js';
import type { Tx } from '../../store/port/index.js';
import type { Deps } from '../deps.js';
import type { Lifecycle } from '../lifecycle.js';
import { pauseAgentInTx } from '../operator/steps/pause.js';
import { cancelRunInTx } from '../runs/steps/cancel.js';
import { endAttempt } from '../runs/steps/end.js';
import { reassignRunInTx } from '../runs/steps/reassign.js';
import { OWNER_STALE } from '../runs/steps/fencing.js';
import { clip, finishPatch, moveRun, RELEASE_LEASE, signalAgent } from '../runs/steps/transitions.js';
import { writeTx } from '../tx.js';
import { blockerView, type BlockerView } from './queries.js';

export interface ResolveInput extends DecisionInput {
  blocker_id: string;
}

export interface ResolveOutcome {
  blocker: Blocker;
  run: Run;
  /** what happened to the run: back to its owner, requeued (owner stale), dead, reassigned, cancelled */
  effect: 'returned_to_owner' | 'requeued' | 'dead_lettered' | 'reassigned' | 'cancelled';
  /** the resolved blocker as list_blockers shows it, read in the same transaction */
  view: BlockerView;
}

/**
 * An operator decides an open blocker; the decision and its effect on the run are one
 * transaction. Agents never resolve blockers (there is no agent tool for it, and this refuses any
 * agent actor), so no agent can approve its own request.
 *
 * Effects: approve, deny, answer, redirect and pause return the run to its owner (leased, with a
 * fresh lease) — or, when the owner went stale while it waited, requeue it (dead-letter it if no
 * attempt is left); reassign moves it to another agent or role; cancel cancels it.
 */
export async function resolveBlocker(deps: Deps, actor: Actor, input: ResolveInput): Promise<ResolveOutcome> {
  if (actor.kind !== 'operator' && actor.kind !== 'system') {
    throw forbidden('only an operator resolves blockers', 'agents wait for the decision with await_update; an operator decides with resolve_blocker or `fleetdeck approve|deny|answer`');
  }
  const by = actorLabel(actor);
  return writeTx(deps, async (tx, now) => {
    const blocker = await tx.blockers.get(input.blocker_id);
    if (!blocker) throw notFound('blocker', input.blocker_id, 'list open blockers with list_blockers or fleet://blockers');
    if (blocker.state !== 'open') {
      throw invalidState(
        `blocker ${blocker.id} is already ${blocker.state}${blocker.decision ? ` (${blocker.decision} by ${blocker.resolvedBy})` : ''}`,
        'nothing to decide; list_blockers shows the open ones',
        { blocker_id: blocker.id, state: blocker.state, decision: blocker.decision },
      );
    }
    const problem = decisionProblem(blocker, input);
    if (problem) throw new FleetError('INVALID_INPUT', problem.message, problem.hint);
    if (input.to_agent !== undefined && !await tx.agents.get(input.to_agent)) {
      throw notFound('agent', input.to_agent, 'reassign to a registered agent (fleet://agents) or to a role');
    }
    const run = (await tx.runs.get(blocker.runId))!;
    const reassignedTo = input.decision === 'reassign' ? (input.to_agent ?? `role:${input.to_role}`) : null;
    const resolved = await tx.blockers.resolve(
      blocker.id,
      {
        decision: input.decision,
        resolution: input.text ?? null,
        chosenOption: input.option ?? null,
        reassignedTo,
        resolvedBy: by,
      },
      now,
    );
    if (!resolved) throw invalidState(`blocker ${blocker.id} was decided meanwhile`, 'read it again');
    await tx.events.append(
      {
        actor: by,
        type: 'blocker.resolved',
        agentId: blocker.agentId,
        runId: blocker.runId,
        subjectId: blocker.id,
        payload: {
          decision: input.decision,
          ...(input.text !== undefined ? { text: clip(input.text, 1000) } : {}),
          ...(input.option !== undefined ? { option: input.option } : {}),
          ...(reassignedTo ? { reassigned_to: reassignedTo } : {}),
          kind: blocker.kind,
          origin: blocker.origin,
        },
      },
      now,
    );
    if (input.decision === 'approve' && blocker.policyRule === 'claims_need_approval') await grantClaims(tx, resolved, now);
    const { run: after, effect } = await applyEffect(tx, deps.lifecycle, resolved, run, input, by, now);
    await tellOwner(tx, resolved, after, effect, now);
    return { blocker: resolved, run: after, effect, view: await blockerView(tx, resolved, now) };
  });
}

async function applyEffect(tx: Tx, lifecycle: Lifecycle, blocker: Blocker, run: Run, input: ResolveInput, by: string, now: number): Promise<Pick<ResolveOutcome, 'run' | 'effect'>> {
  const reason = `blocker ${blocker.id}: ${input.decision}${input.text ? `: ${clip(input.text, 200)}` : ''}`;
  switch (DECISION_EFFECT[input.decision]) {
    case 'cancel':
      return { run: (await cancelRunInTx(tx, lifecycle, run, by, reason, now)).run, effect: 'cancelled' };
    case 'reassign':
      return { run: (await reassignRunInTx(tx, lifecycle, run, { agentId: input.to_agent, role: input.to_role }, by, reason, now)).run, effect: 'reassigned' };
    case 'owner': {
      if (input.decision === 'pause') await pauseAgentInTx(tx, blocker.agentId, by, input.text ?? `blocker ${blocker.id}`, now);
      const owner = run.ownerId ? await tx.agents.get(run.ownerId) : null;
      if (owner && owner.recordedLiveness === 'active' && livenessAt(owner, now) === 'active') {
        const leased = await moveRun(tx, run, 'leased', 'unblock', { stateReason: null, leaseExpiresAt: now + owner.leaseSeconds * 1000 }, now, {
          actor: by,
          type: 'run.unblocked',
          payload: { blocker_id: blocker.id, decision: input.decision },
        });
        return { run: leased, effect: 'returned_to_owner' };
      }
      return await requeueForStaleOwner(tx, lifecycle, run, blocker, by, now);
    }
  }
}

/**
 * The owner went silent while its run waited on a person: the decision stands (it is recorded on
 * the blocker and shown with the run), and the run goes back to the queue for a new attempt, or
 * to the dead letters when none is left. Its claims were released when the owner turned stale.
 */
async function requeueForStaleOwner(tx: Tx, lifecycle: Lifecycle, run: Run, blocker: Blocker, by: string, now: number): Promise<Pick<ResolveOutcome, 'run' | 'effect'>> {
  const payload = { blocker_id: blocker.id, decision: blocker.decision, owner_id: run.ownerId, reason: OWNER_STALE };
  if (run.attempts >= run.maxAttempts) {
    const dead = await moveRun(
      tx,
      run,
      'dead',
      'dead_letter',
      { ...finishPatch(now), deadReason: 'max_attempts', stateReason: OWNER_STALE, lastError: `owner ${run.ownerId} went silent while blocked (attempt ${run.attempts} of ${run.maxAttempts})` },
      now,
      { actor: by, payload },
    );
    await endAttempt(tx, lifecycle, { before: run, run: dead, by, reason: 'run_finished' }, now);
    return { run: dead, effect: 'dead_lettered' };
  }
  const queued = await moveRun(tx, run, 'queued', 'retry', { ...RELEASE_LEASE, stateReason: OWNER_STALE, availableAt: now }, now, {
    actor: by,
    type: 'run.requeued',
    payload,
  });
  await endAttempt(tx, lifecycle, { before: run, run: queued, by, reason: 'holder_stale' }, now);
  return { run: queued, effect: 'requeued' };
}

/** An approved claims_need_approval blocker lets that agent claim those scopes from now on. */
async function grantClaims(tx: Tx, blocker: Blocker, now: number): Promise<void> {
  const scopes = subjectScopes(blocker.policyRule, blocker.policySubject);
  for (const s of scopes) await tx.blockers.insertGrant(blocker.agentId, 'claims_need_approval', grantKey(s), blocker.id, now);
}

/**
 * The decision reaches the agent on its next tool result: `redirect` with the new instructions,
 * otherwise `blocker_resolved` with the decision (cancel and reassign also send their own
 * `cancel` / `lease_lost` signals from the runs service).
 */
async function tellOwner(tx: Tx, blocker: Blocker, run: Run, effect: ResolveOutcome['effect'], now: number): Promise<void> {
  const stale = effect === 'requeued' || effect === 'dead_lettered';
  const message = stale
    ? `${decisionMessage(blocker)} — but you went silent meanwhile, so run ${run.id} is ${run.state}; stop working on it`
    : decisionMessage(blocker);
  await signalAgent(
    tx,
    blocker.agentId,
    blocker.decision === 'redirect' && !stale ? 'redirect' : 'blocker_resolved',
    run,
    message,
    {
      blocker_id: blocker.id,
      decision: blocker.decision,
      ...(blocker.resolution !== null ? { text: blocker.resolution } : {}),
      ...(blocker.chosenOption !== null ? { option: blocker.chosenOption } : {}),
      ...(blocker.decision === 'redirect' ? { instructions: blocker.resolution } : {}),
      ...(blocker.reassignedTo ? { reassigned_to: blocker.reassignedTo } : {}),
      run_state: run.state,
      lease_epoch: run.leaseEpoch,
      by: blocker.resolvedBy,
    },
    now,
  );
}
