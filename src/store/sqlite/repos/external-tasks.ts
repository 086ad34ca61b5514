import type { ExternalTaskFigures, ExternalTaskRepo } from '../../port/external-tasks.js';
import { toEntry, toLink, type LinkRow, type OutboxRow } from '../../rows/external-tasks.js';
import type { Db } from '../open.js';
import { toJson } from '../../rows/json.js';

const LINK_COLUMNS = 'run_id, origin, task_id, sender, target, reply_to, context_ref, result_ref, reported_by, created_at';
const OUTBOX_COLUMNS = 'id, run_id, task_id, reply_to, status, payload, attempts, last_error, created_at, published_at';

export function sqliteExternalTaskRepo(db: Db): ExternalTaskRepo {
  const insertLink = db.prepare(`INSERT INTO external_tasks (run_id, origin, task_id, sender, target, reply_to, context_ref, created_at)
    VALUES (@runId, @origin, @taskId, @sender, @target, @replyTo, @contextRef, @now) RETURNING ${LINK_COLUMNS}`);
  const byTask = db.prepare(`SELECT ${LINK_COLUMNS} FROM external_tasks WHERE origin = ? AND task_id = ?`);
  const byRun = db.prepare(`SELECT ${LINK_COLUMNS} FROM external_tasks WHERE run_id = ?`);
  const setResultRef = db.prepare('UPDATE external_tasks SET result_ref = ?, reported_by = ? WHERE run_id = ?');
  // the end number counts this run's earlier ends; the single writer makes the count and the insert one step
  const enqueue = db.prepare(`INSERT INTO completion_outbox (run_id, end_no, task_id, reply_to, status, payload, created_at, next_attempt_at)
    VALUES (@runId, (SELECT count(*) + 1 FROM completion_outbox WHERE run_id = @runId), @taskId, @replyTo, @status, @payload, @now, @now)
    RETURNING id`).pluck();
  // one statement: several relays may claim at once, each row goes to one of them
  const claim = db.prepare(`UPDATE completion_outbox SET claimed_by = @relayId, claim_expires_at = @holdUntil, attempts = attempts + 1
    WHERE id IN (SELECT id FROM completion_outbox
                 WHERE published_at IS NULL AND next_attempt_at <= @now AND (claim_expires_at IS NULL OR claim_expires_at <= @now)
                 ORDER BY next_attempt_at, id LIMIT @limit)
    RETURNING ${OUTBOX_COLUMNS}`);
  const markPublished = db.prepare(`UPDATE completion_outbox SET published_at = @now, claimed_by = NULL, claim_expires_at = NULL, last_error = NULL
    WHERE id = @id AND claimed_by = @relayId AND published_at IS NULL`);
  const defer = db.prepare(`UPDATE completion_outbox SET claimed_by = NULL, claim_expires_at = NULL, last_error = @error, next_attempt_at = @retryAt
    WHERE id = @id AND claimed_by = @relayId AND published_at IS NULL`);
  const ofRun = db.prepare(`SELECT ${OUTBOX_COLUMNS} FROM completion_outbox WHERE run_id = ? ORDER BY id`);
  const figures = db.prepare(`SELECT
      (SELECT count(*) FROM external_tasks) AS received,
      (SELECT count(*) FROM completion_outbox WHERE published_at IS NOT NULL) AS completionsPublished,
      (SELECT count(*) FROM completion_outbox WHERE published_at IS NULL) AS backlog,
      (SELECT min(created_at) FROM completion_outbox WHERE published_at IS NULL) AS oldestBacklogAt`);

  return {
    link: async (row, now) => toLink(insertLink.get({ ...row, now }) as LinkRow),
    byTask: async (origin, taskId) => {
      const r = byTask.get(origin, taskId) as LinkRow | undefined;
      return r ? toLink(r) : null;
    },
    byRun: async (runId) => {
      const r = byRun.get(runId) as LinkRow | undefined;
      return r ? toLink(r) : null;
    },
    setResultRef: async (runId, resultRef, reportedBy) => {
      setResultRef.run(resultRef, reportedBy, runId);
    },
    enqueueCompletion: async (row, now) =>
      enqueue.get({
        runId: row.runId,
        taskId: row.completion.taskId,
        replyTo: row.replyTo,
        status: row.completion.status,
        payload: toJson(row.completion),
        now,
      }) as number,
    claimPending: async (relayId, now, holdMs, limit) =>
      (claim.all({ relayId, now, holdUntil: now + holdMs, limit }) as OutboxRow[]).map(toEntry).sort((a, b) => a.id - b.id),
    markPublished: async (id, relayId, now) => markPublished.run({ id, relayId, now }).changes === 1,
    deferPublish: async (id, relayId, error, retryAt) => {
      defer.run({ id, relayId, error: error.slice(0, 1000), retryAt });
    },
    completionsOf: async (runId) => (ofRun.all(runId) as OutboxRow[]).map(toEntry),
    figures: async () => figures.get() as ExternalTaskFigures,
  };
}
