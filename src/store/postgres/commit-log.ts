import { eventHash } from '../../domain/event.js';
import type { PgSession } from './session.js';
import { sql } from './statement.js';

/** The channel every replica LISTENs on; the payload is the newest seq of the committing transaction. */
export const EVENTS_CHANNEL = 'fleetdeck_events';

/*
 * How the audit chain stays one line while replicas write concurrently.
 *
 * Each event's hash covers the previous event's hash, so appends must be totally ordered. An
 * append only buffers the event; just before COMMIT the transaction locks the single row of
 * event_chain_head (SELECT … FOR UPDATE: under READ COMMITTED a waiter reads the row as the
 * previous holder committed it), assigns seq head+1…, chains the hashes, and in one statement
 * inserts the events, moves the head and NOTIFYs; then it commits.
 * The lock is held for those two round trips and the commit flush, not for the whole transaction,
 * so replicas' transactions overlap in everything but their last milliseconds.
 *
 * The cost: event-writing commits are serialized across the fleet. The ceiling is about
 * 1 / (two round trips + one commit flush) writing transactions per second, whatever the number of
 * replicas, and a replica that stalls between taking the head and committing stalls every writer
 * (a dropped connection rolls back and releases it).
 *
 * Reads of the log inside a write transaction flush first, so a transaction sees its own events;
 * the FleetEvent objects handed out by append get their seq and hashes here.
 */
const LOCK_HEAD = sql('SELECT seq, hash FROM event_chain_head WHERE id FOR UPDATE');
const WRITE_LOG = sql(`WITH ev AS (
    INSERT INTO events (seq, at, actor, type, agent_id, run_id, subject_id, payload, prev_hash, hash)
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
  ), head AS (
    UPDATE event_chain_head SET seq = $11, hash = $12 WHERE id RETURNING seq
  )
  SELECT pg_notify('${EVENTS_CHANNEL}', seq::text) FROM head`);

/** Chains and writes the transaction's buffered events; the store calls it right before COMMIT. */
export async function flushCommitLog(s: PgSession): Promise<void> {
  if (s.pendingEvents.length === 0) return;
  if (s.chainHead === null) s.chainHead = (await s.one<{ seq: number; hash: string }>(LOCK_HEAD))!;
  const ev: unknown[][] = Array.from({ length: 10 }, () => []);
  let { seq, hash: prevHash } = s.chainHead;
  for (const { event, payloadJson } of s.pendingEvents.splice(0)) {
    seq++;
    const row = { seq, at: event.at, actor: event.actor, type: event.type, agentId: event.agentId, runId: event.runId, subjectId: event.subjectId, payloadJson, prevHash };
    const hash = eventHash(row);
    Object.assign(event, { seq, prevHash, hash });
    [seq, row.at, row.actor, row.type, row.agentId, row.runId, row.subjectId, payloadJson, prevHash, hash].forEach((v, i) => ev[i]!.push(v));
    prevHash = hash;
  }
  await s.rows(WRITE_LOG, [...ev, seq, prevHash]);
  s.chainHead = { seq, hash: prevHash };
}
