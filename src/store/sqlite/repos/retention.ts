import type { RawEventRow } from '../../port/events.js';
import type { ArchiveMark, RetentionPending, RetentionRepo, RunsForgotten } from '../../port/retention.js';
import type { Db } from '../open.js';

const FINISHED = "('completed', 'failed', 'cancelled', 'dead')";

/** Retention's deletions on SQLite: each statement bounded, used in short transactions by services/retention. */
export function sqliteRetentionRepo(db: Db): RetentionRepo {
  const mark = db.prepare('SELECT through_seq AS throughSeq, through_hash AS throughHash FROM event_archive_mark WHERE id = 1');
  const between = db.prepare('SELECT * FROM events WHERE seq > ? AND seq <= ? ORDER BY seq');
  const moveMark = db.prepare(`UPDATE event_archive_mark SET through_seq = @throughSeq, through_hash = @throughHash, updated_at = @now
    WHERE id = 1 AND through_seq = @fromSeq`);
  const deleteArchived = db.prepare(`DELETE FROM events WHERE seq IN (SELECT seq FROM events
    WHERE seq <= (SELECT through_seq FROM event_archive_mark WHERE id = 1) ORDER BY seq LIMIT ?)`);
  const finishedRuns = db.prepare(`SELECT r.id FROM runs r
    WHERE r.finished_at IS NOT NULL AND r.finished_at < ? AND r.state IN ${FINISHED}
      AND NOT EXISTS (SELECT 1 FROM runs c WHERE c.parent_run_id = r.id)
      AND NOT EXISTS (SELECT 1 FROM completion_outbox o WHERE o.run_id = r.id AND o.published_at IS NULL)
    ORDER BY r.finished_at LIMIT ?`).pluck();
  const ackedSignals = db.prepare('DELETE FROM signals WHERE id IN (SELECT id FROM signals WHERE acked_at IS NOT NULL AND acked_at < ? LIMIT ?)');
  const endedClaims = db.prepare(`DELETE FROM claims WHERE id IN (SELECT id FROM claims WHERE state <> 'active' AND released_at < ? LIMIT ?)`);
  const revokedTokens = db.prepare('DELETE FROM access_tokens WHERE id IN (SELECT id FROM access_tokens WHERE revoked_at IS NOT NULL AND revoked_at < ? LIMIT ?)');
  const pending = db.prepare(`SELECT
      EXISTS (SELECT 1 FROM events WHERE seq <= (SELECT through_seq FROM event_archive_mark WHERE id = 1)) AS archivedEvents,
      EXISTS (SELECT 1 FROM runs WHERE finished_at < @runsBefore) AS runs,
      EXISTS (SELECT 1 FROM claims WHERE state <> 'active' AND released_at < @runsBefore) AS claims,
      EXISTS (SELECT 1 FROM access_tokens WHERE revoked_at IS NOT NULL AND revoked_at < @runsBefore) AS tokens,
      EXISTS (SELECT 1 FROM signals WHERE acked_at IS NOT NULL AND acked_at < @signalsBefore) AS signals`);
  const blobKnown = db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').pluck();

  // forgetRuns: children first (foreign keys are on), over a temporary list of the batch's ids;
  // prepared on first use, on the writer connection only
  let forget: ReturnType<typeof prepareForget> | null = null;

  return {
    async archiveMark() {
      return mark.get() as ArchiveMark;
    },
    async eventsBetween(afterSeq, throughSeq) {
      return between.all(afterSeq, throughSeq) as RawEventRow[];
    },
    async moveArchiveMark(fromSeq, throughSeq, throughHash, now) {
      return moveMark.run({ fromSeq, throughSeq, throughHash, now }).changes === 1;
    },
    async deleteArchivedEvents(limit) {
      return deleteArchived.run(limit).changes;
    },
    async finishedRunsBefore(before, limit) {
      return finishedRuns.all(before, limit) as string[];
    },
    async forgetRuns(runIds): Promise<RunsForgotten> {
      forget ??= prepareForget(db);
      const { clearBatch, addToBatch, batchBlobs, children, orphanBlob } = forget;
      clearBatch.run();
      for (const id of runIds) addToBatch.run(id);
      const shas = batchBlobs.all() as string[];
      const artifacts = children.artifacts.run().changes;
      children.grants.run();
      const blockers = children.blockers.run().changes;
      const handoffs = children.handoffs.run().changes;
      const claims = children.claims.run().changes;
      const signals = children.signals.run().changes;
      children.outbox.run();
      children.links.run();
      const runs = children.runs.run().changes;
      let blobs = 0;
      for (const sha of shas) blobs += orphanBlob.run(sha, sha).changes;
      clearBatch.run();
      return { runs, artifacts, handoffs, blockers, claims, signals, blobs };
    },
    async forgetAckedSignals(before, limit) {
      return ackedSignals.run(before, limit).changes;
    },
    async forgetEndedClaims(before, limit) {
      return endedClaims.run(before, limit).changes;
    },
    async forgetRevokedTokens(before, limit) {
      return revokedTokens.run(before, limit).changes;
    },
    async pending(runsBefore, signalsBefore): Promise<RetentionPending> {
      // a period that keeps forever compares with -1: nothing is older
      const row = pending.get({ runsBefore: runsBefore ?? -1, signalsBefore: signalsBefore ?? -1 }) as Record<keyof RetentionPending, number>;
      return { archivedEvents: row.archivedEvents === 1, runs: row.runs === 1, claims: row.claims === 1, tokens: row.tokens === 1, signals: row.signals === 1 };
    },
    async blobKnown(sha256) {
      return blobKnown.get(sha256) === 1;
    },
  };
}

function prepareForget(db: Db) {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS retention_batch (id TEXT PRIMARY KEY)');
  const inBatch = 'IN (SELECT id FROM temp.retention_batch)';
  return {
    clearBatch: db.prepare('DELETE FROM temp.retention_batch'),
    addToBatch: db.prepare('INSERT OR IGNORE INTO temp.retention_batch (id) VALUES (?)'),
    batchBlobs: db.prepare(`SELECT DISTINCT sha256 FROM artifacts WHERE run_id ${inBatch}`).pluck(),
    children: {
      artifacts: db.prepare(`DELETE FROM artifacts WHERE run_id ${inBatch}`),
      grants: db.prepare(`DELETE FROM policy_grants WHERE blocker_id IN (SELECT id FROM blockers WHERE run_id ${inBatch})`),
      blockers: db.prepare(`DELETE FROM blockers WHERE run_id ${inBatch}`),
      handoffs: db.prepare(`DELETE FROM handoffs WHERE run_id ${inBatch}`),
      claims: db.prepare(`DELETE FROM claims WHERE run_id ${inBatch} AND state <> 'active'`),
      signals: db.prepare(`DELETE FROM signals WHERE run_id ${inBatch} AND acked_at IS NOT NULL`),
      outbox: db.prepare(`DELETE FROM completion_outbox WHERE run_id ${inBatch}`),
      links: db.prepare(`DELETE FROM external_tasks WHERE run_id ${inBatch}`),
      runs: db.prepare(`DELETE FROM runs WHERE id ${inBatch}`),
    },
    orphanBlob: db.prepare('DELETE FROM blobs WHERE sha256 = ? AND NOT EXISTS (SELECT 1 FROM artifacts WHERE sha256 = ?)'),
  };
}
