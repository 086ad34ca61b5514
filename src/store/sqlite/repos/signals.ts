import type { NewSignal } from '../../../domain/signal.js';
import type { SignalRepo } from '../../port/signals.js';
import type { Db } from '../open.js';
import { toJson } from '../../rows/json.js';
import { toSignal, type SignalRow } from '../../rows/signals.js';

const COLUMNS = 'id, kind, run_id, subject_id, message, payload, created_at, deliveries, acked_at';

/** Which unacknowledged signals a delivery may take: never handed out, released, or handed elsewhere long enough ago. */
const DELIVERABLE = `agent_id = @agentId AND acked_at IS NULL
  AND (delivered_to IS NULL OR (delivered_to <> @deliveryId AND delivered_at <= @redeliverBefore))`;

export function sqliteSignalRepo(db: Db): SignalRepo {
  const insert = db.prepare(`INSERT INTO signals (agent_id, kind, run_id, subject_id, message, payload, created_at)
    VALUES (@agentId, @kind, @runId, @subjectId, @message, @payload, @now) RETURNING ${COLUMNS}`);
  // The subquery picks the rows and the UPDATE claims them in one statement under the write lock,
  // so two concurrent calls of one agent can never both return the same signal.
  const deliver = db.prepare(`UPDATE signals SET delivered_to = @deliveryId, delivered_at = @now, deliveries = deliveries + 1
    WHERE id IN (SELECT id FROM signals INDEXED BY signals_unacked WHERE ${DELIVERABLE} ORDER BY id LIMIT @limit)
    RETURNING ${COLUMNS}`);
  const deliverable = db.prepare(`SELECT 1 FROM signals INDEXED BY signals_unacked WHERE ${DELIVERABLE} LIMIT 1`).pluck();
  const acknowledge = db.prepare(`UPDATE signals SET acked_at = @now
    WHERE id IN (SELECT value FROM json_each(@ids)) AND agent_id = @agentId AND delivered_to = @deliveryId AND acked_at IS NULL`);
  const release = db.prepare(`UPDATE signals SET delivered_to = NULL WHERE delivered_to = ? AND acked_at IS NULL`);
  const unacked = db.prepare(`SELECT ${COLUMNS} FROM signals INDEXED BY signals_unacked WHERE agent_id = ? AND acked_at IS NULL ORDER BY id LIMIT ?`);
  const recent = db.prepare(`SELECT ${COLUMNS} FROM signals WHERE agent_id = ? ORDER BY id DESC LIMIT ?`);
  return {
    insert: async (s: NewSignal, now: number) =>
      toSignal(
        insert.get({
          agentId: s.agentId,
          kind: s.kind,
          runId: s.runId ?? null,
          subjectId: s.subjectId ?? null,
          message: s.message,
          payload: toJson(s.payload ?? {}),
          now,
        }) as SignalRow,
      ),
    // the UPDATE … RETURNING costs ~25× the probe even when it matches nothing, the common case
    deliver: async (agentId, deliveryId, now, redeliverBefore, limit) =>
      deliverable.get({ agentId, deliveryId, redeliverBefore }) === undefined
        ? []
        : (deliver.all({ agentId, deliveryId, now, redeliverBefore, limit }) as SignalRow[]).map(toSignal).sort((a, b) => a.id - b.id),
    hasDeliverable: async (agentId, deliveryId, redeliverBefore) => deliverable.get({ agentId, deliveryId, redeliverBefore }) !== undefined,
    acknowledge: async (agentId, deliveryId, ids, now) =>
      ids.length === 0 ? 0 : acknowledge.run({ agentId, deliveryId, ids: JSON.stringify(ids), now }).changes,
    release: async (deliveryId) => release.run(deliveryId).changes,
    unacknowledged: async (agentId, limit) => (unacked.all(agentId, limit) as SignalRow[]).map(toSignal),
    recent: async (agentId, limit) => (recent.all(agentId, limit) as SignalRow[]).map(toSignal),
  };
}
