import { FleetError, notFound } from '../domain/errors.js';
import type { FleetEvent } from '../domain/event.js';
import { LIMITS } from '../domain/limits.js';
import type { Run } from '../domain/run.js';
import type { Tx } from '../store/port/index.js';
import { blockerView, redirectOfRun, type BlockerView } from './blockers/queries.js';
import type { ChangeFeed } from './change-feed.js';
import type { Deps } from './deps.js';
import { handoffView, type HandoffView } from './handoffs/queries.js';
import { readTx } from './tx.js';

export type AwaitTarget = { kind: 'blocker'; id: string } | { kind: 'handoff'; id: string } | { kind: 'run'; id: string };

export interface RunSnapshot {
  run: Run;
  openBlockerId: string | null;
  openHandoffId: string | null;
  redirect: { blockerId: string; instructions: string; at: number } | null;
}

export type Snapshot = { kind: 'blocker'; view: BlockerView } | { kind: 'handoff'; view: HandoffView } | { kind: 'run'; view: RunSnapshot };

export interface AwaitInput {
  target: AwaitTarget;
  /** default 60, at most 110 (clients move longer calls to the background) */
  timeoutSeconds?: number;
  /** wait for events after this seq (a previous result's `seq`), so nothing between calls is missed */
  sinceSeq?: number;
}

export interface AwaitOutcome {
  changed: boolean;
  /** the event that ended the wait */
  event: Pick<FleetEvent, 'seq' | 'type' | 'actor' | 'at'> | null;
  /** the audit seq the snapshot reflects: pass it back as since_seq to keep following */
  seq: number;
  snapshot: Snapshot;
}

export const DEFAULT_AWAIT_SECONDS = 60;

/**
 * Long-polls one object. Its state and the audit seq are read in one snapshot; the wait then
 * follows the change feed from that seq (or from `sinceSeq`), so a change committed by any process
 * in between is caught. Returns as soon as an event concerning the object commits (its own events,
 * or a state change of its run), or at the timeout with `changed: false` — always with the current state.
 */
export async function awaitUpdate(deps: Deps, feed: ChangeFeed, input: AwaitInput, signal?: AbortSignal): Promise<AwaitOutcome> {
  const timeoutMs = Math.min(Math.max(input.timeoutSeconds ?? DEFAULT_AWAIT_SECONDS, 0), LIMITS.waitSeconds) * 1000;
  const first = await readTx(deps, (tx, now) => ({ snapshot: load(tx, input.target, now), seq: tx.events.lastSeq() }));
  if (input.sinceSeq !== undefined && input.sinceSeq > first.seq) {
    throw new FleetError('INVALID_INPUT', `since_seq ${input.sinceSeq} is after the latest event ${first.seq}`, 'pass the seq a previous await_update returned, or omit it');
  }
  const from = input.sinceSeq ?? first.seq;
  const matches = predicateFor(input.target, first.snapshot);
  let event: FleetEvent | null = null;
  if (timeoutMs === 0) {
    if (from < first.seq) event = (await readTx(deps, (tx) => tx.events.list({ afterSeq: from, limit: 1000 }))).find(matches) ?? null;
  } else {
    event = await feed.waitFor(matches, from, timeoutMs, signal);
  }
  if (event === null && from === first.seq) return { changed: false, event: null, seq: first.seq, snapshot: first.snapshot };
  const after = await readTx(deps, (tx, now) => ({ snapshot: load(tx, input.target, now), seq: tx.events.lastSeq() }));
  return {
    changed: event !== null,
    event: event ? { seq: event.seq, type: event.type, actor: event.actor, at: event.at } : null,
    seq: after.seq,
    snapshot: after.snapshot,
  };
}

function load(tx: Tx, target: AwaitTarget, now: number): Snapshot {
  switch (target.kind) {
    case 'blocker': {
      const b = tx.blockers.get(target.id);
      if (!b) throw notFound('blocker', target.id, 'raise_blocker returns the blocker_id');
      return { kind: 'blocker', view: blockerView(tx, b, now) };
    }
    case 'handoff': {
      const h = tx.handoffs.get(target.id);
      if (!h) throw notFound('handoff', target.id, 'handoff returns the handoff_id');
      return { kind: 'handoff', view: handoffView(tx, h, now) };
    }
    case 'run': {
      const run = tx.runs.get(target.id);
      if (!run) throw notFound('run', target.id, 'list your runs with list_runs');
      return {
        kind: 'run',
        view: { run, openBlockerId: tx.blockers.openForRun(run.id)?.id ?? null, openHandoffId: tx.handoffs.openForRun(run.id)?.id ?? null, redirect: redirectOfRun(tx, run.id) },
      };
    }
  }
}

/** Heartbeats mention a run without changing it; they never end a wait. */
const QUIET = new Set(['agent.heartbeat']);

function predicateFor(target: AwaitTarget, snapshot: Snapshot): (e: FleetEvent) => boolean {
  const runId = snapshot.kind === 'run' ? snapshot.view.run.id : snapshot.view.run?.id ?? null;
  if (target.kind === 'run') return (e) => e.runId === target.id && !QUIET.has(e.type);
  // a blocker or handoff changes with its own events, and ends with its run (cancel, reassign)
  return (e) => e.subjectId === target.id || (runId !== null && e.runId === runId && e.type.startsWith('run.'));
}
