import type { ExternalTaskFigures, ExternalTaskRepo } from '../../port/external-tasks.js';
import { toEntry, toLink, type LinkRow, type OutboxRow } from '../../rows/external-tasks.js';
import { toJson } from '../../rows/json.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';

const LINK_COLUMNS = 'run_id, origin, task_id, sender, target, reply_to, context_ref, result_ref, reported_by, created_at';
const OUTBOX_COLUMNS = 'id, run_id, task_id, reply_to, status, payload, attempts, last_error, created_at, published_at';

// Two bridges receiving the same task (a redelivery while the first still stores it) race on the
// unique indexes (the run's idempotency key, then (origin, task_id)): the second insert waits for
// the first transaction and fails once it commits; the store runs the loser's transaction again
// (errors.ts), and the intake then finds the winner's link. No second run either way.
const LINK = sql(`INSERT INTO external_tasks (run_id, origin, task_id, sender, target, reply_to, context_ref, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${LINK_COLUMNS}`);
const BY_TASK = sql(`SELECT ${LINK_COLUMNS} FROM external_tasks WHERE origin = $1 AND task_id = $2`);
const BY_RUN = sql(`SELECT ${LINK_COLUMNS} FROM external_tasks WHERE run_id = $1`);
const SET_RESULT_REF = sql('UPDATE external_tasks SET result_ref = $2, reported_by = $3 WHERE run_id = $1');
// Called in the transaction that moved the run to a finished state, which holds the run's row lock
// (the ending UPDATE): two ends of one run cannot count the earlier ends at the same time. The
// unique (run_id, end_no) would refuse a second row for one end anyway.
const ENQUEUE = sql(`INSERT INTO completion_outbox (run_id, end_no, task_id, reply_to, status, payload, created_at, next_attempt_at)
  VALUES ($1, (SELECT count(*) + 1 FROM completion_outbox WHERE run_id = $1), $2, $3, $4, $5, $6, $6)
  RETURNING id`);
// Several relays (one per bridge, on any replica) claim at once: SKIP LOCKED hands each due row to
// one of them without waiting, and the hold (claim_expires_at) keeps it theirs after this commit.
// A row whose hold lapsed (its relay crashed) is due again.
const CLAIM = sql(`WITH due AS (
    SELECT id FROM completion_outbox
    WHERE published_at IS NULL AND next_attempt_at <= $2 AND (claim_expires_at IS NULL OR claim_expires_at <= $2)
    ORDER BY next_attempt_at, id LIMIT $4
    FOR UPDATE SKIP LOCKED
  )
  UPDATE completion_outbox o SET claimed_by = $1, claim_expires_at = $3, attempts = o.attempts + 1
  FROM due WHERE o.id = due.id
  RETURNING ${OUTBOX_COLUMNS.split(', ').map((c) => `o.${c}`).join(', ')}`);
// Conditional on the hold: a relay whose hold lapsed and was taken over marks nothing.
const MARK_PUBLISHED = sql(`UPDATE completion_outbox SET published_at = $3, claimed_by = NULL, claim_expires_at = NULL, last_error = NULL
  WHERE id = $1 AND claimed_by = $2 AND published_at IS NULL`);
const DEFER = sql(`UPDATE completion_outbox SET claimed_by = NULL, claim_expires_at = NULL, last_error = $3, next_attempt_at = $4
  WHERE id = $1 AND claimed_by = $2 AND published_at IS NULL`);
const OF_RUN = sql(`SELECT ${OUTBOX_COLUMNS} FROM completion_outbox WHERE run_id = $1 ORDER BY id`);
const FIGURES = sql(`SELECT
    (SELECT count(*) FROM external_tasks) AS received,
    (SELECT count(*) FROM completion_outbox WHERE published_at IS NOT NULL) AS "completionsPublished",
    (SELECT count(*) FROM completion_outbox WHERE published_at IS NULL) AS backlog,
    (SELECT min(created_at) FROM completion_outbox WHERE published_at IS NULL) AS "oldestBacklogAt"`);

export function pgExternalTaskRepo(s: PgSession): ExternalTaskRepo {
  const link = async (st: typeof BY_RUN, values: unknown[]) => {
    const row = await s.one<LinkRow>(st, values);
    return row ? toLink(row) : null;
  };
  return {
    link: async (r, now) => toLink((await s.one<LinkRow>(LINK, [r.runId, r.origin, r.taskId, r.sender, r.target, r.replyTo, r.contextRef, now]))!),
    byTask: (origin, taskId) => link(BY_TASK, [origin, taskId]),
    byRun: (runId) => link(BY_RUN, [runId]),
    setResultRef: async (runId, resultRef, reportedBy) => {
      await s.run(SET_RESULT_REF, [runId, resultRef, reportedBy]);
    },
    enqueueCompletion: async (row, now) =>
      (await s.one<{ id: number }>(ENQUEUE, [row.runId, row.completion.taskId, row.replyTo, row.completion.status, toJson(row.completion), now]))!.id,
    claimPending: async (relayId, now, holdMs, limit) =>
      (await s.rows<OutboxRow>(CLAIM, [relayId, now, now + holdMs, limit])).map(toEntry).sort((a, b) => a.id - b.id),
    markPublished: async (id, relayId, now) => (await s.run(MARK_PUBLISHED, [id, relayId, now])) === 1,
    deferPublish: async (id, relayId, error, retryAt) => {
      await s.run(DEFER, [id, relayId, error.slice(0, 1000), retryAt]);
    },
    completionsOf: async (runId) => (await s.rows<OutboxRow>(OF_RUN, [runId])).map(toEntry),
    figures: async () => (await s.one<ExternalTaskFigures>(FIGURES))!,
  };
}
