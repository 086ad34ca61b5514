import type { BlobStorage, StoredBlob } from '../../../domain/artifact.js';
import type { ArtifactRepo, NewArtifactRow, NewBlobRow } from '../../port/artifacts.js';
import { toArtifact, type ArtifactRow } from '../../rows/artifacts.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';

const COLUMNS = 'id, run_id, agent_id, kind, name, media_type, sha256, size, created_at';

// ON CONFLICT DO NOTHING: the same bytes are stored once, whoever attaches them first wins (a
// concurrent insert of the same hash waits for the first and then does nothing).
const PUT_BLOB = sql(`INSERT INTO blobs (sha256, bytes, size, stored, created_at)
  VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING`);
const GET_BLOB = sql('SELECT sha256, size, stored, bytes FROM blobs WHERE sha256 = $1');
const INSERT = sql(`INSERT INTO artifacts (id, run_id, agent_id, kind, name, media_type, sha256, size, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`);
const GET = sql(`SELECT ${COLUMNS} FROM artifacts WHERE id = $1`);
const BY_RUN = sql(`SELECT ${COLUMNS} FROM artifacts WHERE run_id = $1 ORDER BY created_at, seq`);
const KINDS = sql('SELECT DISTINCT kind FROM artifacts WHERE run_id = $1 ORDER BY kind');
const RUN_OF = sql('SELECT run_id FROM artifacts WHERE id = $1');
const RECENT = sql(`SELECT ${COLUMNS} FROM artifacts ORDER BY created_at DESC, seq DESC LIMIT $1`);
const PREFIXED = sql('SELECT id FROM artifacts WHERE starts_with(id, $1) ORDER BY created_at DESC, seq DESC LIMIT $2');

export function pgArtifactRepo(s: PgSession): ArtifactRepo {
  const many = async (st: typeof GET, values: unknown[]) => (await s.rows<ArtifactRow>(st, values)).map(toArtifact);
  return {
    putBlob: async (b: NewBlobRow, now: number) => (await s.run(PUT_BLOB, [b.sha256, b.bytes, b.size, b.stored, now])) === 1,
    getBlob: async (sha256): Promise<StoredBlob | null> => {
      const row = await s.one<{ sha256: string; size: number; stored: string; bytes: Buffer | null }>(GET_BLOB, [sha256]);
      return row ? { sha256: row.sha256, size: row.size, stored: row.stored as BlobStorage, bytes: row.bytes } : null;
    },
    insert: async (r: NewArtifactRow, now: number) =>
      toArtifact((await s.one<ArtifactRow>(INSERT, [r.id, r.runId, r.agentId, r.kind, r.name, r.mediaType, r.sha256, r.size, now]))!),
    get: async (id) => (await many(GET, [id]))[0] ?? null,
    listByRun: (runId) => many(BY_RUN, [runId]),
    kindsOfRun: async (runId) => (await s.rows<{ kind: string }>(KINDS, [runId])).map((r) => r.kind),
    runIdOf: async (id) => (await s.one<{ run_id: string }>(RUN_OF, [id]))?.run_id ?? null,
    recent: (limit) => many(RECENT, [limit]),
    idsWithPrefix: async (prefix, limit) => (await s.rows<{ id: string }>(PREFIXED, [prefix, limit])).map((r) => r.id),
  };
}
