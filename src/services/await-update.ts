import { FleetError, notFound } from '../domain/errors.js';
import { eventConcept, type FleetEvent } from '../domain/event.js';
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
 * Long-polls one object. Its state and the audit seq are read in one snapshot; with `sinceSeq`, a
 * change committed after that seq (by any process) answers at once; otherwise the wait follows the
 * change feed from the snapshot's seq, so nothing committed in between is missed. Returns as soon as an event concerning the object commits (its own events,
 * or a state change of its run), or at the timeout with `changed: false` — always with the current state.
 */
export async function awaitUpdate(deps: Deps, feed: ChangeFeed, input: AwaitInput, signal?: AbortSignal): Promise<AwaitOutcome> {
  const timeoutMs = Math.min(Math.max(input.timeoutSeconds ?? DEFAULT_AWAIT_SECONDS, 0), LIMITS.waitSeconds) * 1000;
  const since = input.sinceSeq;
  const first = await readTx(deps, async (tx, now) => {
    const snapshot = await load(tx, input.target, now);
    const seq = await tx.events.lastSeq();
    if (since !== undefined && since > seq) {
      throw new FleetError('INVALID_INPUT', `since_seq ${since} is after the latest event ${seq}`, 'pass the seq a previous await_update returned, or omit it');
    }
    // a change between the caller's previous result and now counts at once (indexed lookups)
    const missed = since !== undefined && since < seq ? await changedSince(tx, input.target, snapshot, since) : null;
    return { snapshot, seq, missed };
  });
  if (first.missed) return { changed: true, event: eventOut(first.missed), seq: first.seq, snapshot: first.snapshot };
  if (timeoutMs === 0) return { changed: false, event: null, seq: first.seq, snapshot: first.snapshot };
  const event = await feed.waitFor(predicateFor(input.target, first.snapshot), first.seq, timeoutMs, signal);
  if (event === null) return { changed: false, event: null, seq: first.seq, snapshot: first.snapshot };
  const after = await readTx(deps, async (tx, now) => ({ snapshot: await load(tx, input.target, now), seq: await tx.events.lastSeq() }));
  return { changed: true, event: eventOut(event), seq: after.seq, snapshot: after.snapshot };
}

const eventOut = (e: FleetEvent): AwaitOutcome['event'] => ({ seq: e.seq, type: e.type, actor: e.actor, at: e.at });

async function changedSince(tx: Tx, target: AwaitTarget, snapshot: Snapshot, since: number): Promise<FleetEvent | null> {
  const matches = predicateFor(target, snapshot);
  if (target.kind !== 'run') {
    const own = (await tx.events.list({ afterSeq: since, subjectId: target.id, limit: 1 }))[0];
    if (own) return own;
  }
  const runId = runOf(snapshot);
  if (runId === null) return null;
  return (await tx.events.list({ afterSeq: since, runId, limit: 1000 })).find(matches) ?? null;
}

async function load(tx: Tx, target: AwaitTarget, now: number): Promise<Snapshot> {
  switch (target.kind) {
    case 'blocker': {
      const b = await tx.blockers.get(target.id);
      if (!b) throw notFound('blocker', target.id, 'raise_blocker returns the blocker_id');
      return { kind: 'blocker', view: await blockerView(tx, b, now) };
    }
    case 'handoff': {
      const h = await tx.handoffs.get(target.id);
      if (!h) throw notFound('handoff', target.id, 'handoff returns the handoff_id');
      return { kind: 'handoff', view: await handoffView(tx, h, now) };
    }
    case 'run': {
      const run = await tx.runs.get(target.id);
      if (!run) throw notFound('run', target.id, 'list your runs with list_runs');
      return {
        kind: 'run',
        view: { run, openBlockerId: (await tx.blockers.openForRun(run.id))?.id ?? null, openHandoffId: (await tx.handoffs.openForRun(run.id))?.id ?? null, redirect: await redirectOfRun(tx, run.id) },
      };
    }
  }
}

/** Heartbeats mention a run without changing it; they never end a wait. */
const QUIET = new Set(['agent.heartbeat']);

function runOf(snapshot: Snapshot): string | null {
  return snapshot.kind === 'run' ? snapshot.view.run.id : (snapshot.view.run?.id ?? null);
}

function predicateFor(target: AwaitTarget, snapshot: Snapshot): (e: FleetEvent) => boolean {
  const runId = runOf(snapshot);
  if (target.kind === 'run') return (e) => e.runId === target.id && !QUIET.has(e.type);
  // a blocker or handoff changes with its own events, and ends with its run (cancel, reassign)
  return (e) => e.subjectId === target.id || (runId !== null && e.runId === runId && eventConcept(e.type) === 'run');
}
