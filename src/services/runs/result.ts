import { actorLabel, type Actor } from '../../domain/actor.js';
import type { Usage } from '../../domain/agent.js';
import { backoffDelayMs } from '../../domain/backoff.js';
import { FleetError, forbidden, invalidState, notFound } from '../../domain/errors.js';
import { type Run, type RunOutcome } from '../../domain/run.js';
import type { Tx } from '../../store/port/index.js';
import type { RunPatch } from '../../store/port/runs.js';
import type { Deps } from '../deps.js';
import { artifactRunId, evidenceKindsOfRun } from '../evidence/steps/artifacts.js';
import { enforceCompletionPolicy } from '../policy/enforce.js';
import { writeTx } from '../tx.js';
import { requireOpenRun, requireResultWriter } from './steps/fencing.js';
import { endAttempt } from './steps/end.js';
import { clearCurrentRun, clip, finishPatch, moveRun, RELEASE_LEASE, signalAgent } from './steps/transitions.js';

export interface SubmitResultInput {
  run_id: string;
  outcome: RunOutcome;
  summary: string;
  evidence?: string[];
  risks?: string[];
  retryable?: boolean;
  usage?: Partial<Usage>;
  /** the epoch you hold (from take_task / start_run); omitted: only ownership is checked */
  lease_epoch?: number;
}

export interface ResultOutcome {
  run: Run;
  /** accepted under the late-result rule (the lease had lapsed, nobody had taken the run) */
  late: boolean;
  /** a retryable failure with attempts left: when the next attempt may start */
  retryAt: number | null;
  releasedClaims: string[];
}

/**
 * Closes the caller's attempt. `completed` → completed. `failed` → failed, unless `retryable`:
 * then back to the queue after an exponential backoff while attempts remain, else dead with
 * `max_attempts`. A completed result on a run with `expected_evidence` must have every kind
 * attached (MISSING_EVIDENCE otherwise). Evidence ids must belong to the run. Accepted once.
 *
 * An agent must hold the run (fencing); the operator (CLI scripts) may close any open run, which
 * revokes the holder's lease.
 */
export async function submitResult(deps: Deps, actor: Actor, input: SubmitResultInput, random: () => number = Math.random): Promise<ResultOutcome> {
  const by = actorLabel(actor);
  // the fleet policy may require an operator's approval before a run of some types completes
  if (actor.kind === 'agent') await enforceCompletionPolicy(deps, actor.agentId, input);
  return writeTx(deps, async (tx, now) => {
    let run: Run;
    let late = false;
    if (actor.kind === 'agent') {
      ({ run, late } = await requireResultWriter(tx, input.run_id, actor.agentId, input.lease_epoch, now));
    } else if (actor.kind === 'operator') {
      run = await requireOpenRun(tx, input.run_id);
      if (run.state === 'handoff_pending') {
        throw invalidState(`run ${run.id} has a handoff pending`, 'wait for the handoff to be accepted or declined, or cancel the run');
      }
    } else {
      throw forbidden('only an agent holding the run, or the operator, can submit its result', 'register_agent first');
    }
    if (actor.kind === 'agent' && input.outcome === 'completed') await refuseCompletingPastApproval(tx, run);
    await checkEvidence(tx, run, input);
    const result = {
      outcome: input.outcome,
      summary: input.summary,
      evidence: [...new Set(input.evidence ?? [])],
      risks: input.risks ?? [],
      by,
      epoch: run.leaseEpoch,
      at: now,
    };
    const common = { late, retryable: input.retryable ?? false, summary: clip(input.summary, 500), evidence: result.evidence, risks: result.risks, by };
    let moved: Run;
    let retryAt: number | null = null;
    if (input.outcome === 'completed') {
      moved = await moveRun(tx, run, 'completed', 'complete', { ...finishPatch(now), result, stateReason: null }, now, { actor: by, type: 'run.completed', payload: common });
    } else if (!input.retryable) {
      moved = await moveRun(tx, run, 'failed', 'fail', { ...finishPatch(now), result, stateReason: 'failed' }, now, { actor: by, type: 'run.failed', payload: common });
    } else if (run.attempts < run.maxAttempts) {
      retryAt = now + backoffDelayMs(run.retries + 1, random);
      const patch: RunPatch = { ...RELEASE_LEASE, result, availableAt: retryAt, lastError: input.summary, stateReason: 'retry', bumpRetries: true };
      moved = await moveRun(tx, run, 'queued', 'retry', patch, now, {
        actor: by,
        type: 'run.retry_scheduled',
        payload: { ...common, available_at: retryAt, delay_ms: retryAt - now, attempts_left: run.maxAttempts - run.attempts },
      });
    } else {
      moved = await moveRun(
        tx,
        run,
        'dead',
        'dead_letter',
        { ...finishPatch(now), result, deadReason: 'max_attempts', lastError: input.summary, stateReason: 'failed' },
        now,
        { actor: by, type: 'run.dead_lettered', payload: common },
      );
    }
    if (input.usage) {
      await tx.runs.addUsage(run.id, input.usage);
      if (actor.kind === 'agent') await tx.agents.applyHeartbeat(actor.agentId, { usage: input.usage });
    }
    if (actor.kind === 'agent') await clearCurrentRun(tx, actor.agentId, run.id);
    if (actor.kind === 'operator' && run.ownerId) {
      await signalAgent(tx, run.ownerId, 'lease_lost', moved, `run ${run.id} was closed by ${by} (${moved.state}); stop working on it`, { state: moved.state, by }, now);
    }
    // its claims, its open question (a blocked run closed by its owner or the operator), the outbox, the submitter
    const { releasedClaims } = await endAttempt(tx, deps.lifecycle, { before: run, run: moved, by, reason: 'run_finished' }, now);
    return { run: await tx.runs.get(run.id) ?? moved, late, retryAt, releasedClaims };
  });
}

/**
 * An agent never resolves its own approval: completing a run that waits on an open approval
 * blocker would do exactly that, so it must wait for the decision (failing it remains possible).
 */
async function refuseCompletingPastApproval(tx: Tx, run: Run): Promise<void> {
  if (run.state !== 'blocked') return;
  const blocker = await tx.blockers.openForRun(run.id);
  if (blocker?.kind !== 'approval') return;
  throw invalidState(
    `run ${run.id} waits on approval ${blocker.id}`,
    `await_update with blocker_id ${blocker.id}; once an operator approves, submit the result again`,
    { blocker_id: blocker.id },
  );
}

async function checkEvidence(tx: Tx, run: Run, input: SubmitResultInput): Promise<void> {
  for (const id of input.evidence ?? []) {
    const owner = await artifactRunId(tx, id);
    if (owner === null) throw notFound('artifact', id, 'cite artifacts returned by attach_evidence for this run');
    if (owner !== run.id) {
      throw new FleetError('INVALID_INPUT', `artifact ${id} belongs to run ${owner}, not to ${run.id}`, 'cite only evidence attached to this run (attach_evidence with this run_id)');
    }
  }
  if (input.outcome !== 'completed' || run.expectedEvidence.length === 0) return;
  const attached = new Set(await evidenceKindsOfRun(tx, run.id));
  const missing = run.expectedEvidence.filter((kind) => !attached.has(kind));
  if (missing.length > 0) {
    throw new FleetError(
      'MISSING_EVIDENCE',
      `run ${run.id} expects evidence of kind ${run.expectedEvidence.join(', ')}; missing: ${missing.join(', ')}`,
      `attach_evidence with kind ${missing.map((k) => `"${k}"`).join(', ')} for run ${run.id}, then submit_result again`,
      { run_id: run.id, missing, expected: run.expectedEvidence },
    );
  }
}
