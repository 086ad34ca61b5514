import type { RawEventRow } from '../../port/events.js';
import type { ArchiveMark, RetentionPending, RetentionRepo, RunsForgotten } from '../../port/retention.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';

const MARK = sql('SELECT through_seq AS "throughSeq", through_hash AS "throughHash" FROM event_archive_mark');
const BETWEEN = sql(`SELECT seq, at, actor, type, agent_id, run_id, subject_id, payload, prev_hash, hash FROM events
  WHERE seq > $1 AND seq <= $2 ORDER BY seq`);
// only from where this pass found the mark: a second sweeper archiving the same block changes nothing
const MOVE_MARK = sql(`UPDATE event_archive_mark SET through_seq = $2, through_hash = $3, updated_at = $4
  WHERE through_seq = $1 RETURNING through_seq`);
const DELETE_ARCHIVED = sql(`DELETE FROM events WHERE seq IN (SELECT seq FROM events
  WHERE seq <= (SELECT through_seq FROM event_archive_mark) ORDER BY seq LIMIT $1)`);
const FINISHED_RUNS = sql(`SELECT r.id FROM runs r
  WHERE r.finished_at IS NOT NULL AND r.finished_at < $1 AND r.state IN ('completed', 'failed', 'cancelled', 'dead')
    AND NOT EXISTS (SELECT 1 FROM runs c WHERE c.parent_run_id = r.id)
    AND NOT EXISTS (SELECT 1 FROM completion_outbox o WHERE o.run_id = r.id AND o.published_at IS NULL)
  ORDER BY r.finished_at LIMIT $2`);
// One statement, one round trip: the data-modifying CTEs run on one snapshot and the foreign keys
// are checked at the end of the statement, once children and runs are all gone.
const FORGET_RUNS = sql(`WITH
  art AS (DELETE FROM artifacts WHERE run_id = ANY($1::text[]) RETURNING sha256),
  grants AS (DELETE FROM policy_grants WHERE blocker_id IN (SELECT id FROM blockers WHERE run_id = ANY($1::text[])) RETURNING 1),
  blk AS (DELETE FROM blockers WHERE run_id = ANY($1::text[]) RETURNING 1),
  hof AS (DELETE FROM handoffs WHERE run_id = ANY($1::text[]) RETURNING 1),
  clm AS (DELETE FROM claims WHERE run_id = ANY($1::text[]) AND state <> 'active' RETURNING 1),
  sig AS (DELETE FROM signals WHERE run_id = ANY($1::text[]) AND acked_at IS NOT NULL RETURNING 1),
  outbox AS (DELETE FROM completion_outbox WHERE run_id = ANY($1::text[]) RETURNING 1),
  links AS (DELETE FROM external_tasks WHERE run_id = ANY($1::text[]) RETURNING 1),
  gone AS (DELETE FROM runs WHERE id = ANY($1::text[]) RETURNING 1)
  SELECT (SELECT count(*) FROM gone) AS runs, (SELECT count(*) FROM art) AS artifacts,
    (SELECT count(*) FROM hof) AS handoffs, (SELECT count(*) FROM blk) AS blockers,
    (SELECT count(*) FROM clm) AS claims, (SELECT count(*) FROM sig) AS signals,
    (SELECT count(*) FROM grants) + (SELECT count(*) FROM outbox) + (SELECT count(*) FROM links) AS other,
    coalesce((SELECT array_agg(DISTINCT sha256) FROM art), '{}') AS shas`);
const ORPHAN_BLOBS = sql(`DELETE FROM blobs b WHERE b.sha256 = ANY($1::text[])
  AND NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.sha256 = b.sha256)`);
const ACKED_SIGNALS = sql('DELETE FROM signals WHERE id IN (SELECT id FROM signals WHERE acked_at IS NOT NULL AND acked_at < $1 LIMIT $2)');
const ENDED_CLAIMS = sql(`DELETE FROM claims WHERE id IN (SELECT id FROM claims WHERE state <> 'active' AND released_at < $1 LIMIT $2)`);
const REVOKED_TOKENS = sql('DELETE FROM access_tokens WHERE id IN (SELECT id FROM access_tokens WHERE revoked_at IS NOT NULL AND revoked_at < $1 LIMIT $2)');
const PENDING = sql(`SELECT
    EXISTS (SELECT 1 FROM events WHERE seq <= (SELECT through_seq FROM event_archive_mark)) AS "archivedEvents",
    EXISTS (SELECT 1 FROM runs WHERE finished_at < $1) AS runs,
    EXISTS (SELECT 1 FROM claims WHERE state <> 'active' AND released_at < $1) AS claims,
    EXISTS (SELECT 1 FROM access_tokens WHERE revoked_at IS NOT NULL AND revoked_at < $1) AS tokens,
    EXISTS (SELECT 1 FROM signals WHERE acked_at IS NOT NULL AND acked_at < $2) AS signals`);
const BLOB_KNOWN = sql('SELECT 1 AS one FROM blobs WHERE sha256 = $1');

/** Retention's deletions on PostgreSQL (see the port for what each does). */
export function pgRetentionRepo(s: PgSession): RetentionRepo {
  return {
    archiveMark: async () => (await s.one<ArchiveMark>(MARK))!,
    eventsBetween: (afterSeq, throughSeq) => s.rows<RawEventRow>(BETWEEN, [afterSeq, throughSeq]),
    moveArchiveMark: async (fromSeq, throughSeq, throughHash, now) => (await s.one(MOVE_MARK, [fromSeq, throughSeq, throughHash, now])) !== null,
    deleteArchivedEvents: (limit) => s.run(DELETE_ARCHIVED, [limit]),
    finishedRunsBefore: async (before, limit) => (await s.rows<{ id: string }>(FINISHED_RUNS, [before, limit])).map((r) => r.id),
    async forgetRuns(runIds): Promise<RunsForgotten> {
      if (runIds.length === 0) return { runs: 0, artifacts: 0, handoffs: 0, blockers: 0, claims: 0, signals: 0, blobs: 0 };
      for (const id of runIds) s.cache.runs.delete(id);
      const row = (await s.one<Omit<RunsForgotten, 'blobs'> & { shas: string[] }>(FORGET_RUNS, [runIds]))!;
      const blobs = row.shas.length > 0 ? await s.run(ORPHAN_BLOBS, [row.shas]) : 0;
      return { runs: row.runs, artifacts: row.artifacts, handoffs: row.handoffs, blockers: row.blockers, claims: row.claims, signals: row.signals, blobs };
    },
    forgetAckedSignals: (before, limit) => s.run(ACKED_SIGNALS, [before, limit]),
    forgetEndedClaims: (before, limit) => s.run(ENDED_CLAIMS, [before, limit]),
    forgetRevokedTokens: (before, limit) => s.run(REVOKED_TOKENS, [before, limit]),
    pending: async (runsBefore, signalsBefore) => (await s.one<RetentionPending>(PENDING, [runsBefore ?? -1, signalsBefore ?? -1]))!,
    blobKnown: async (sha256) => (await s.one(BLOB_KNOWN, [sha256])) !== null,
  };
}
