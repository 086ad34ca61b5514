import type { BlobStorage, StoredBlob } from '../../../domain/artifact.js';
import type { ArtifactRepo, NewArtifactRow, NewBlobRow } from '../../port/artifacts.js';
import { toArtifact, type ArtifactRow } from '../../rows/artifacts.js';
import type { Db } from '../open.js';

interface BlobRow {
  sha256: string;
  size: number;
  stored: string;
  bytes: Buffer | null;
}

const COLUMNS = 'id, run_id, agent_id, kind, name, media_type, sha256, size, created_at';

export function sqliteArtifactRepo(db: Db): ArtifactRepo {
  // ON CONFLICT DO NOTHING: the same bytes are stored once, whoever attaches them first wins.
  const putBlob = db.prepare(`INSERT INTO blobs (sha256, bytes, size, stored, created_at)
    VALUES (@sha256, @bytes, @size, @stored, @now) ON CONFLICT (sha256) DO NOTHING`);
  const getBlob = db.prepare('SELECT sha256, size, stored, bytes FROM blobs WHERE sha256 = ?');
  const insert = db.prepare(`INSERT INTO artifacts (${COLUMNS})
    VALUES (@id, @runId, @agentId, @kind, @name, @mediaType, @sha256, @size, @now) RETURNING ${COLUMNS}`);
  const get = db.prepare(`SELECT ${COLUMNS} FROM artifacts WHERE id = ?`);
  const byRun = db.prepare(`SELECT ${COLUMNS} FROM artifacts WHERE run_id = ? ORDER BY created_at, rowid`);
  const kinds = db.prepare('SELECT DISTINCT kind FROM artifacts WHERE run_id = ? ORDER BY kind').pluck();
  const runOf = db.prepare('SELECT run_id FROM artifacts WHERE id = ?').pluck();
  const recent = db.prepare(`SELECT ${COLUMNS} FROM artifacts ORDER BY created_at DESC, rowid DESC LIMIT ?`);
  // Ids are lower-case base32 after `art_`, so the prefix holds no LIKE wildcards once checked.
  const prefixed = db.prepare(`SELECT id FROM artifacts WHERE id >= @prefix AND id < @prefix || '~'
    ORDER BY created_at DESC LIMIT @limit`).pluck();

  return {
    putBlob: async (b: NewBlobRow, now: number) => putBlob.run({ ...b, now }).changes === 1,
    getBlob: async (sha256): Promise<StoredBlob | null> => {
      const row = getBlob.get(sha256) as BlobRow | undefined;
      return row ? { sha256: row.sha256, size: row.size, stored: row.stored as BlobStorage, bytes: row.bytes } : null;
    },
    insert: async (row: NewArtifactRow, now: number) => toArtifact(insert.get({ ...row, now }) as ArtifactRow),
    get: async (id) => {
      const row = get.get(id) as ArtifactRow | undefined;
      return row ? toArtifact(row) : null;
    },
    listByRun: async (runId) => (byRun.all(runId) as ArtifactRow[]).map(toArtifact),
    kindsOfRun: async (runId) => kinds.all(runId) as string[],
    runIdOf: async (id) => (runOf.get(id) as string | undefined) ?? null,
    recent: async (limit) => (recent.all(limit) as ArtifactRow[]).map(toArtifact),
    idsWithPrefix: async (prefix, limit) => prefixed.all({ prefix, limit }) as string[],
  };
}
