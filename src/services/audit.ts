import type { FleetEvent } from '../domain/event.js';
import type { ArchiveStore } from '../store/port/archive.js';
import type { RawEventRow } from '../store/port/events.js';
import { ChainWalker } from './audit-chain.js';
import { decodeSegment } from './retention/archive-segment.js';
import { readAnchor } from './audit-anchor.js';
import type { Deps } from './deps.js';
import { readTx } from './tx.js';

/** events read per repository call while verifying (bounded memory on a long log) */
const AUDIT_PAGE = 1000;

export interface AuditReport {
  ok: boolean;
  /** events checked: archived and live */
  events: number;
  lastSeq: number;
  /** the head recorded outside the database (audit-anchor.ts), if any */
  anchor: { seq: number; hash: string } | null;
  /** the archive read before the live log (docs/retention.md) */
  archive: { location: string; segments: number; events: number; throughSeq: number };
  /** the first event whose link or hash does not match, with what was expected (and the segment it is in) */
  firstBroken: { seq: number; reason: string; segment?: string } | null;
}

/**
 * Recomputes the hash chain from the first event, through the archive segments and on into the
 * live log, as one chain; names the first broken link, or the missing, reordered or altered
 * segment; then compares the head with the anchor kept outside the database, which finds events
 * deleted from the tail.
 */
export async function verifyAudit(deps: Deps): Promise<AuditReport> {
  const anchored = readAnchor(deps);
  const anchor = anchored ? { seq: anchored.seq, hash: anchored.hash } : null;
  const store = deps.store.archive(deps.settings.dataDir);
  const { mark, firstLive } = await readTx(deps, async (tx) => ({
    mark: await tx.retention.archiveMark(),
    firstLive: (await tx.events.listRaw(0, 1))[0]?.seq ?? null,
  }));
  const walker = new ChainWalker();
  let hashAtAnchor: string | null = null;
  let hashAtMark: string | null = null;
  const archive = { location: store.location, segments: 0, events: 0, throughSeq: mark.throughSeq };
  const report = (firstBroken: AuditReport['firstBroken']): AuditReport => ({
    ok: firstBroken === null,
    events: walker.count,
    lastSeq: walker.lastSeq,
    anchor,
    archive,
    firstBroken,
  });
  // hashes of archived events that may still be in the live log too (deleted in batches after archiving)
  const archivedHashes = new Map<number, string>();

  const archived = await walkArchive(store, walker, (row) => {
    if (firstLive !== null && row.seq >= firstLive) archivedHashes.set(row.seq, row.hash);
    if (anchor && row.seq === anchor.seq) hashAtAnchor = row.hash;
    if (row.seq === mark.throughSeq) hashAtMark = row.hash;
  });
  archive.segments = archived.segments;
  archive.events = archived.events;
  if (archived.broken) return report(archived.broken);
  if (walker.lastSeq < mark.throughSeq) {
    const reason = `the archive ends at seq ${walker.lastSeq} but the live log was archived through seq ${mark.throughSeq}: the segment(s) after it are missing`;
    return report({ seq: walker.nextSeq, reason });
  }
  if (mark.throughSeq > 0 && hashAtMark !== mark.throughHash) {
    return report({ seq: mark.throughSeq, reason: `archived event ${mark.throughSeq} does not have the hash the database recorded when archiving it (${mark.throughHash.slice(0, 12)}…)` });
  }

  const broken = await readTx(deps, async (tx) => {
    for (let page = await tx.events.listRaw(0, AUDIT_PAGE); page.length > 0; page = await tx.events.listRaw(page[page.length - 1]!.seq, AUDIT_PAGE)) {
      for (const row of page) {
        const archived = archivedHashes.get(row.seq);
        if (archived !== undefined) {
          if (archived !== row.hash) return { seq: row.seq, reason: 'the live event differs from its archived copy (one of them was altered)' };
          continue;
        }
        const why = walker.accept(row);
        if (why) return { seq: row.seq, reason: why };
        if (anchor && row.seq === anchor.seq) hashAtAnchor = row.hash;
      }
    }
    return null;
  });
  if (broken) return report(broken);

  const lastSeq = walker.lastSeq;
  if (anchor && anchor.seq > lastSeq) {
    const reason = `the log ends at seq ${lastSeq} but the anchor outside the database records seq ${anchor.seq}: events were deleted from the tail`;
    return report({ seq: lastSeq + 1, reason });
  }
  if (anchor && hashAtAnchor !== anchor.hash) {
    const reason = `event ${anchor.seq} does not have the hash the anchor records (${anchor.hash.slice(0, 12)}…): the log was rewritten`;
    return report({ seq: anchor.seq, reason });
  }
  return report(null);
}

export interface ArchiveWalk {
  segments: number;
  events: number;
  broken: { seq: number; reason: string; segment?: string } | null;
}

/**
 * Reads every archive segment in seq order into `walker`: names a missing segment (a gap in the
 * seqs), a duplicated or renamed one (an overlap), an unreadable or truncated one, and an altered
 * event (the walker's link and hash checks). `visit` sees every archived event that links.
 */
export async function walkArchive(store: ArchiveStore, walker: ChainWalker, visit: (row: RawEventRow) => void = () => {}): Promise<ArchiveWalk> {
  const walk: ArchiveWalk = { segments: 0, events: 0, broken: null };
  const stop = (seq: number, reason: string, segment: string): ArchiveWalk => ({ ...walk, broken: { seq, reason, segment } });
  for (const segment of await store.list()) {
    if (segment.firstSeq > walker.nextSeq) {
      return stop(walker.nextSeq, `events ${walker.nextSeq}–${segment.firstSeq - 1} are in no archive segment: the segment before ${segment.name} is missing`, segment.name);
    }
    if (segment.firstSeq < walker.nextSeq) return stop(segment.firstSeq, `segment ${segment.name} overlaps the segment before it (a segment was duplicated or renamed)`, segment.name);
    const body = await store.read(segment.name);
    if (body === null) return stop(segment.firstSeq, `segment ${segment.name} disappeared while being verified`, segment.name);
    let rows: RawEventRow[];
    try {
      rows = decodeSegment(body);
    } catch (error) {
      return stop(segment.firstSeq, `segment ${segment.name} is not readable: ${(error as Error).message} (the segment was altered)`, segment.name);
    }
    for (const row of rows) {
      const broken = walker.accept(row);
      if (broken) return stop(row.seq, `in segment ${segment.name}: ${broken}`, segment.name);
      visit(row);
    }
    if (walker.lastSeq !== segment.lastSeq) {
      return stop(walker.nextSeq, `segment ${segment.name} ends at seq ${walker.lastSeq}, not ${segment.lastSeq} (the segment was truncated or altered)`, segment.name);
    }
    walk.segments++;
    walk.events += rows.length;
  }
  return walk;
}

export interface EventPage {
  events: FleetEvent[];
  nextCursor: number;
}

/** Events after `cursor` (oldest first), or the most recent ones when no cursor is given. */
export async function listEvents(
  deps: Deps,
  query: { after?: number; limit: number; agentId?: string; runId?: string; types?: string[] },
): Promise<EventPage> {
  return readTx(deps, async (tx) => {
    const filters = { agentId: query.agentId, runId: query.runId, types: query.types, limit: query.limit };
    const events =
      query.after === undefined
        ? (await tx.events.list({ ...filters, newestFirst: true })).reverse()
        : await tx.events.list({ ...filters, afterSeq: query.after });
    const nextCursor = events.length > 0 ? events[events.length - 1]!.seq : (query.after ?? await tx.events.lastSeq());
    return { events, nextCursor };
  });
}

/** The seq of the newest audit event (0 when the log is empty): a cheap liveness probe of the store. */
export function lastEventSeq(deps: Deps): Promise<number> {
  return readTx(deps, async (tx) => await tx.events.lastSeq());
}
