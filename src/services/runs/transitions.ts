import type { EventType } from '../../domain/event.js';
/**
 * The one place a run changes state: checks the move against the table in domain/run.ts, applies
 * it as a conditional UPDATE (the row must still be in the state and epoch the caller read), and
 * appends the audit event in the same transaction. Handoffs and blockers move runs through here
 * too. Tx-only (no services/tx.ts import), so expiry hooks can use it.
 */
import { invalidState } from '../../domain/errors.js';
import { assertTransition, type Run, type RunState, type RunTransitionVia } from '../../domain/run.js';
import type { SignalKind } from '../../domain/signal.js';
import type { Tx } from '../../store/port/index.js';
import type { RunPatch } from '../../store/port/runs.js';

export interface RunEventSpec {
  actor: string;
  /** default `run.<via>` */
  type?: EventType;
  payload?: Record<string, unknown>;
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
  await tx.events.append(
    {
      actor: event.actor,
      type: event.type ?? `run.${via}`,
      agentId: updated.ownerId ?? run.ownerId,
      runId: run.id,
      payload: {
        from: run.state,
        state: to,
        epoch: updated.leaseEpoch,
        attempt: updated.attempts,
        ...(updated.deadReason ? { dead_reason: updated.deadReason } : {}),
        ...event.payload,
      },
    },
    now,
  );
  // the previous holder no longer works on it: its self-reported current run must not point here
  if (run.ownerId && updated.ownerId !== run.ownerId) await clearCurrentRun(tx, run.ownerId, run.id);
  return updated;
}

export async function clearCurrentRun(tx: Tx, agentId: string, runId: string): Promise<void> {
  const agent = await tx.agents.get(agentId);
  if (agent?.currentRunId === runId) await tx.agents.applyHeartbeat(agentId, { currentRunId: null });
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

/** `run_finished` to the submitting agent: outcome, summary, state and dead reason. */
export async function notifyRunFinished(tx: Tx, run: Run, now: number): Promise<void> {
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
