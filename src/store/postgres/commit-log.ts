import type { PgSession } from './session.js';

/** The channel every replica LISTENs on; the payload is the newest sealed seq. */
export const EVENTS_CHANNEL = 'fleetdeck_events';

/*
 * How the audit chain stays one line while replicas write concurrently, with no lock that every
 * commit waits on (migration 014).
 *
 * An append only buffers the event. The COMMIT round trip carries, in one simple-protocol query:
 *   SELECT fleetdeck_append(<the events as JSON>); COMMIT; SELECT fleetdeck_seal()
 * so the events enter event_inbox (ids from a sequence: no shared row) inside the transaction, the
 * transaction commits holding nothing fleet-wide, and then — same round trip, outside it — the
 * sealer moves every committed inbox row into events: seq head+1…, chained hashes, under one
 * advisory lock. Concurrent committers queue on that lock only after their commit, and the first
 * to get it seals everyone's events (group sealing); the others find their rows already sealed and
 * return at once. Readers see `events` only, which keeps its properties: gapless seq, one chain,
 * and seq N+1 visible only with N (one sealer at a time; its commit is visible before its lock is
 * released), so the change feed never skips or reorders.
 *
 * Before, the head row was locked (SELECT … FOR UPDATE) before the events insert and held through
 * the commit flush: every event-writing transaction of the fleet waited there with its row locks
 * held, two round trips plus one fsync each.
 *
 * The order is the order of sealing, then of inbox id: the events of a transaction that committed
 * before another began come first (smaller inbox ids, or an earlier seal); a transaction's own
 * events keep their append order; events of transactions running at the same time may interleave.
 * It is one total order, fixed once sealed, and every reader sees the same one.
 */
export function commitText(s: PgSession, soft = false): string {
  const commit = soft ? 'SET LOCAL synchronous_commit = off; COMMIT' : 'COMMIT';
  if (s.pendingEvents.length === 0) return commit;
  const batch = s.pendingEvents.splice(0).map(({ event, payloadJson }, i) => ({
    at: event.at,
    actor: event.actor,
    type: event.type,
    agent_id: event.agentId,
    run_id: event.runId,
    subject_id: event.subjectId,
    payload: payloadJson,
    i,
  }));
  return `SELECT fleetdeck_append(${s.client.escapeLiteral(JSON.stringify(batch))}::json); ${commit}; SELECT fleetdeck_seal()`;
}

/** Seals whatever committed events are still in the inbox (a writer's seal that did not run, or failed). */
export const SEAL = 'SELECT fleetdeck_seal() AS seq';
