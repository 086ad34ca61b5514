import { notFound } from '../../domain/errors.js';
import type { RawEventRow } from '../../store/port/events.js';
import { ChainWalker } from '../audit-chain.js';
import { walkArchive, type ArchiveWalk } from '../audit.js';
import type { Deps } from '../deps.js';
import { readTx } from '../tx.js';
import { decodeSegment } from './archive-segment.js';

export interface ArchiveListing {
  location: string;
  /** the live log holds the events after this seq (and may still hold some at or below it, until they are deleted) */
  archivedThroughSeq: number;
  segments: { name: string; first_seq: number; last_seq: number }[];
}

/** `fleetdeck archive list`: the segments, by seq. */
export async function listArchive(deps: Deps): Promise<ArchiveListing> {
  const store = deps.store.archive(deps.settings.dataDir);
  const mark = await readTx(deps, async (tx) => await tx.retention.archiveMark());
  const segments = (await store.list()).map((s) => ({ name: s.name, first_seq: s.firstSeq, last_seq: s.lastSeq }));
  return { location: store.location, archivedThroughSeq: mark.throughSeq, segments };
}

export interface ArchiveVerification extends ArchiveWalk {
  ok: boolean;
  location: string;
  archivedThroughSeq: number;
}

/**
 * `fleetdeck archive verify`: the segments alone, as one chain from the first event to the mark
 * (`audit verify` goes on into the live log).
 */
export async function verifyArchive(deps: Deps): Promise<ArchiveVerification> {
  const store = deps.store.archive(deps.settings.dataDir);
  const mark = await readTx(deps, async (tx) => await tx.retention.archiveMark());
  const walker = new ChainWalker();
  let hashAtMark: string | null = null;
  const walk = await walkArchive(store, walker, (row) => {
    if (row.seq === mark.throughSeq) hashAtMark = row.hash;
  });
  let broken = walk.broken;
  if (!broken && walker.lastSeq < mark.throughSeq) {
    broken = { seq: walker.nextSeq, reason: `the archive ends at seq ${walker.lastSeq} but the log was archived through seq ${mark.throughSeq}: the segment(s) after it are missing` };
  } else if (!broken && mark.throughSeq > 0 && hashAtMark !== mark.throughHash) {
    broken = { seq: mark.throughSeq, reason: `archived event ${mark.throughSeq} does not have the hash the database recorded when archiving it` };
  }
  return { ...walk, broken, ok: broken === null, location: store.location, archivedThroughSeq: mark.throughSeq };
}

export interface ArchivedRunHistory {
  run_id: string;
  /** the events about the run, oldest first: from the archive, then the live log */
  events: RawEventRow[];
  archived: number;
  live: number;
  segments_read: number;
}

/** Most events `archive show` returns for one run (a run's history is hundreds at most). */
const RUN_HISTORY_LIMIT = 10_000;

/**
 * `fleetdeck archive show RUN`: a run's whole history after it left the live database — its
 * events from every archive segment, then those still live. Reads the whole archive (segments are
 * not indexed by run).
 */
export async function showArchivedRun(deps: Deps, runId: string): Promise<ArchivedRunHistory> {
  const store = deps.store.archive(deps.settings.dataDir);
  const events: RawEventRow[] = [];
  const seen = new Set<number>();
  let segmentsRead = 0;
  for (const segment of await store.list()) {
    const body = await store.read(segment.name);
    if (!body) continue;
    segmentsRead++;
    for (const row of decodeSegment(body)) {
      if (row.run_id === runId && events.length < RUN_HISTORY_LIMIT) {
        events.push(row);
        seen.add(row.seq);
      }
    }
  }
  const archived = events.length;
  const live = await readTx(deps, async (tx) => await tx.events.list({ runId, limit: RUN_HISTORY_LIMIT }));
  for (const e of live) {
    if (seen.has(e.seq) || events.length >= RUN_HISTORY_LIMIT) continue;
    events.push({
      seq: e.seq, at: e.at, actor: e.actor, type: e.type, agent_id: e.agentId, run_id: e.runId, subject_id: e.subjectId,
      payload: JSON.stringify(e.payload), prev_hash: e.prevHash, hash: e.hash,
    });
  }
  if (events.length === 0) throw notFound('run', runId, 'no event names this run, in the archive or the live log: check the id (fleetdeck runs lists live runs)');
  return { run_id: runId, events, archived, live: events.length - archived, segments_read: segmentsRead };
}
