import { eventHash, GENESIS_HASH, type FleetEvent } from '../domain/event.js';
import { readAnchor } from './audit-anchor.js';
import type { Deps } from './deps.js';
import { readTx } from './tx.js';

/** events read per repository call while verifying (bounded memory on a long log) */
const AUDIT_PAGE = 1000;

export interface AuditReport {
  ok: boolean;
  events: number;
  lastSeq: number;
  /** the head recorded outside the database (audit-anchor.ts), if any */
  anchor: { seq: number; hash: string } | null;
  /** the first event whose link or hash does not match, with what was expected */
  firstBroken: { seq: number; reason: string } | null;
}

/**
 * Recomputes the hash chain from the first event and names the first broken link; then compares
 * the head with the anchor kept outside the database, which finds events deleted from the tail.
 */
export async function verifyAudit(deps: Deps): Promise<AuditReport> {
  const anchored = readAnchor(deps);
  const anchor = anchored ? { seq: anchored.seq, hash: anchored.hash } : null;
  return readTx(deps, async (tx) => {
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    let count = 0;
    let hashAtAnchor: string | null = null;
    for (let page = await tx.events.listRaw(0, AUDIT_PAGE); page.length > 0; page = await tx.events.listRaw(page[page.length - 1]!.seq, AUDIT_PAGE)) {
      for (const row of page) {
        count++;
        const broken = (reason: string): AuditReport => ({ ok: false, events: count, lastSeq: row.seq, anchor, firstBroken: { seq: row.seq, reason } });
        if (row.seq !== expectedSeq) return broken(`expected seq ${expectedSeq}, found ${row.seq} (an event is missing)`);
        if (row.prev_hash !== prevHash) return broken(`prev_hash ${row.prev_hash.slice(0, 12)}… does not match the hash of event ${row.seq - 1}`);
        const recomputed = eventHash({
          seq: row.seq,
          at: row.at,
          actor: row.actor,
          type: row.type,
          agentId: row.agent_id,
          runId: row.run_id,
          subjectId: row.subject_id,
          payloadJson: row.payload,
          prevHash: row.prev_hash,
        });
        if (recomputed !== row.hash) return broken('the stored hash does not match the event content (the event was altered)');
        if (anchor && row.seq === anchor.seq) hashAtAnchor = row.hash;
        prevHash = row.hash;
        expectedSeq++;
      }
    }
    const lastSeq = expectedSeq - 1;
    if (anchor && anchor.seq > lastSeq) {
      const reason = `the log ends at seq ${lastSeq} but the anchor outside the database records seq ${anchor.seq}: events were deleted from the tail`;
      return { ok: false, events: count, lastSeq, anchor, firstBroken: { seq: lastSeq + 1, reason } };
    }
    if (anchor && hashAtAnchor !== anchor.hash) {
      const reason = `event ${anchor.seq} does not have the hash the anchor records (${anchor.hash.slice(0, 12)}…): the log was rewritten`;
      return { ok: false, events: count, lastSeq, anchor, firstBroken: { seq: anchor.seq, reason } };
    }
    return { ok: true, events: count, lastSeq, anchor, firstBroken: null };
  });
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
