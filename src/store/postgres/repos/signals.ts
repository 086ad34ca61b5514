import type { NewSignal } from '../../../domain/signal.js';
import type { SignalRepo } from '../../port/signals.js';
import { toJson } from '../../rows/json.js';
import { toSignal, type SignalRow } from '../../rows/signals.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';

const COLUMNS = 'id, kind, run_id, subject_id, message, payload, created_at, deliveries, acked_at';

/** Unacknowledged signals a delivery may take: never handed out, released, or handed elsewhere long enough ago. */
const DELIVERABLE = `agent_id = $1 AND acked_at IS NULL
  AND (delivered_to IS NULL OR (delivered_to <> $2 AND delivered_at <= $3))`;

const INSERT = sql(`INSERT INTO signals (agent_id, kind, run_id, subject_id, message, payload, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`);
// Two calls of one agent on two replicas: the second skips the rows the first has locked, and a row
// the first already committed is re-tested on its new version (delivered elsewhere just now), so
// the two never return the same signal. If the first rolls back, its rows stay deliverable.
const DELIVER = sql(`UPDATE signals SET delivered_to = $2, delivered_at = $4, deliveries = deliveries + 1
  WHERE id IN (SELECT id FROM signals WHERE ${DELIVERABLE} ORDER BY id LIMIT $5 FOR UPDATE SKIP LOCKED)
    AND ${DELIVERABLE}
  RETURNING ${COLUMNS}`);
const DELIVERABLE_ANY = sql(`SELECT 1 AS one FROM signals WHERE ${DELIVERABLE} LIMIT 1`);
const ACKNOWLEDGE = sql(`UPDATE signals SET acked_at = $4
  WHERE id = ANY($3::bigint[]) AND agent_id = $1 AND delivered_to = $2 AND acked_at IS NULL`);
const RELEASE = sql('UPDATE signals SET delivered_to = NULL WHERE delivered_to = $1 AND acked_at IS NULL');
const UNACKED = sql(`SELECT ${COLUMNS} FROM signals WHERE agent_id = $1 AND acked_at IS NULL ORDER BY id LIMIT $2`);
const RECENT = sql(`SELECT ${COLUMNS} FROM signals WHERE agent_id = $1 ORDER BY id DESC LIMIT $2`);

export function pgSignalRepo(s: PgSession): SignalRepo {
  const many = async (st: typeof INSERT, values: unknown[]) => (await s.rows<SignalRow>(st, values)).map(toSignal);
  return {
    insert: async (sig: NewSignal, now: number) =>
      (await many(INSERT, [sig.agentId, sig.kind, sig.runId ?? null, sig.subjectId ?? null, sig.message, toJson(sig.payload ?? {}), now]))[0]!,
    deliver: async (agentId, deliveryId, now, redeliverBefore, limit) =>
      (await many(DELIVER, [agentId, deliveryId, redeliverBefore, now, limit])).sort((a, b) => a.id - b.id),
    hasDeliverable: async (agentId, deliveryId, redeliverBefore) => (await s.one(DELIVERABLE_ANY, [agentId, deliveryId, redeliverBefore])) !== null,
    acknowledge: async (agentId, deliveryId, ids, now) => (ids.length === 0 ? 0 : s.run(ACKNOWLEDGE, [agentId, deliveryId, [...ids], now])),
    release: (deliveryId) => s.run(RELEASE, [deliveryId]),
    unacknowledged: (agentId, limit) => many(UNACKED, [agentId, limit]),
    recent: (agentId, limit) => many(RECENT, [agentId, limit]),
  };
}
