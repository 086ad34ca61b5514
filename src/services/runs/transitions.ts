/**
 * The one place a run changes state: checks the move against the table in domain/run.ts, applies
 * it as a conditional UPDATE (the row must still be in the state and epoch the caller read), and
 * appends the audit event in the same transaction. Handoffs and blockers move runs through here
 * too. Tx-only (no services/tx.ts import), so expiry hooks can use it.
 */
import { invalidState } from '../../domain/errors.js';
import type { NewEvent, RunMovedEventType, RunMovedPayload } from '../../domain/event.js';
import { assertTransition, isFinished, OWNED_STATES, type Run, type RunState, type RunTransitionVia } from '../../domain/run.js';
import type { SignalKind } from '../../domain/signal.js';
import type { Tx } from '../../store/port/index.js';
import type { RunPatch } from '../../store/port/runs.js';
import { recordRunEnd } from '../external-tasks/on-run-end.js';

export interface RunEventSpec {
  actor: string;
  /** default `run.<via>` */
  type?: RunMovedEventType;
  /** what this way of moving adds to the move (from, state, epoch, attempt are moveRun's) */
  payload?: Partial<Omit<RunMovedPayload, 'from' | 'state' | 'epoch' | 'attempt'>>;
}

/** Moves `run` (as the caller read it) to `to`; throws INVALID_STATE if the move is not allowed. */
export async function moveRun(
  tx: Tx,
  run: Run,
  to: RunState,
  via: RunTransitionVia,
  patch: Omit<RunPatch, 'state'>,
  now: number,
  event: RunEventSpec,
): Promise<Run> {
  assertTransition(run, to, via);
  const updated = await tx.runs.update(run.id, { states: [run.state], epoch: run.leaseEpoch }, { ...patch, state: to }, now);
  if (!updated) {
    throw invalidState(`run ${run.id} changed while this request ran`, 'read it again with get_run and retry', { run_id: run.id });
  }
  const payload = {
    from: run.state,
    state: to,
    epoch: updated.leaseEpoch,
    attempt: updated.attempts,
    ...(updated.deadReason ? { dead_reason: updated.deadReason } : {}),
    ...event.payload,
  } satisfies RunMovedPayload;
  // every RunMovedEventType carries a RunMovedPayload, which the compiler cannot see through the union
  const moved = { actor: event.actor, type: event.type ?? (`run.${via}` as const), agentId: updated.ownerId ?? run.ownerId, runId: run.id, payload } as NewEvent<RunMovedEventType>;
  const appended = await tx.events.append(moved, now);
  // a run from another system: its completion goes to the outbox in this same transaction
  if (isFinished(to)) await recordRunEnd(tx, updated, appended, now);
  // the previous holder no longer works on it: its self-reported current run must not point here
  if (run.ownerId && updated.ownerId !== run.ownerId) await clearCurrentRun(tx, run.ownerId, run.id);
  return updated;
}

/**
 * The agent no longer holds `runId`: its self-report must not point at it, nor say `working` when
 * it holds no run at all (a finished, dead-lettered or reassigned run); it says `idle` until it
 * reports again.
 */
export async function clearCurrentRun(tx: Tx, agentId: string, runId: string): Promise<void> {
  const agent = await tx.agents.get(agentId);
  if (!agent) return;
  const pointsHere = agent.currentRunId === runId;
  const workingOnNothing = agent.status === 'working' && (pointsHere || agent.currentRunId === null) && (await tx.runs.listOwnedBy(agentId, OWNED_STATES)).length === 0;
  if (!pointsHere && !workingOnNothing) return;
  await tx.agents.applyHeartbeat(agentId, { ...(pointsHere ? { currentRunId: null } : {}), ...(workingOnNothing ? { status: 'idle' } : {}) });
}

/** Patch pieces: what every release of the lease clears. */
export const RELEASE_LEASE = { ownerId: null, leaseExpiresAt: null } as const satisfies RunPatch;

export function finishPatch(now: number): RunPatch {
  return { ownerId: null, leaseExpiresAt: null, finishedAt: now };
}

/** A signal to an agent, if it exists (submitters may be operators or scripts: they get none). */
export async function signalAgent(
  tx: Tx,
  agentId: string | null,
  kind: SignalKind,
  run: Run,
  message: string,
  payload: Record<string, unknown>,
  now: number,
): Promise<void> {
  if (!agentId || !agentId.startsWith('agt_') || !await tx.agents.get(agentId)) return;
  await tx.signals.insert({ agentId, kind, runId: run.id, message, payload }, now);
}

/**
 * `run_finished` to the submitting agent: outcome, summary, state and dead reason. A run received
 * from another system is answered through its completion (the outbox, see recordRunEnd), not by a
 * signal to the intake identity that submitted it, which never reads signals.
 */
export async function notifyRunFinished(tx: Tx, run: Run, now: number): Promise<void> {
  if (!run.submitter.startsWith('agt_') || (await tx.externalTasks.byRun(run.id))) return;
  const outcome = run.state === 'completed' ? 'completed' : run.state === 'cancelled' ? 'cancelled' : 'failed';
  const summary = run.result?.summary ?? run.lastError ?? run.stateReason ?? null;
  const why = run.state === 'dead' ? ` (dead letter: ${run.deadReason})` : '';
  await signalAgent(
    tx,
    run.submitter,
    'run_finished',
    run,
    `run ${run.id} "${clip(run.title, 80)}" ${run.state}${why}${summary ? `: ${clip(summary, 200)}` : ''}`,
    {
      outcome,
      state: run.state,
      dead_reason: run.deadReason,
      summary,
      evidence: run.result?.evidence ?? [],
      next: 'read the result and its evidence with get_run (or fleet://runs/' + run.id + ')',
    },
    now,
  );
}

export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
