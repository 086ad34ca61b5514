import type { AccessTokenRepo, NewAccessToken } from '../../port/access-tokens.js';
import { toAccessToken, type AccessTokenRow } from '../../rows/access-tokens.js';
import type { Db } from '../open.js';

const COLUMNS = 'id, kind, agent_id, label, created_at, revoked_at, last_used_at';

export function sqliteAccessTokenRepo(db: Db): AccessTokenRepo {
  const insert = db.prepare(`INSERT INTO access_tokens (id, kind, agent_id, label, token_hash, created_at)
    VALUES (@id, @kind, @agentId, @label, @tokenHash, @now) RETURNING ${COLUMNS}`);
  const get = db.prepare(`SELECT ${COLUMNS} FROM access_tokens WHERE id = ?`);
  const byHash = db.prepare(`SELECT ${COLUMNS} FROM access_tokens WHERE token_hash = ?`);
  const listAll = db.prepare(`SELECT ${COLUMNS} FROM access_tokens ORDER BY created_at, id`);
  const listLive = db.prepare(`SELECT ${COLUMNS} FROM access_tokens WHERE revoked_at IS NULL ORDER BY created_at, id`);
  const revoke = db.prepare('UPDATE access_tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL');
  const touch = db.prepare('UPDATE access_tokens SET last_used_at = max(coalesce(last_used_at, 0), @now) WHERE id = @id');

  const agentByHash = db.prepare('SELECT id FROM agents WHERE token_hash = ?').pluck();

  const one = (row: unknown) => (row ? toAccessToken(row as AccessTokenRow) : null);
  return {
    insert: async (row: NewAccessToken) => toAccessToken(insert.get(row) as AccessTokenRow),
    get: async (id) => one(get.get(id)),
    findByHash: async (hash) => one(byHash.get(hash)),
    list: async (includeRevoked) => ((includeRevoked ? listAll : listLive).all() as AccessTokenRow[]).map(toAccessToken),
    revoke: async (id, now) => revoke.run({ id, now }).changes > 0,
    agentIdByRegistrationHash: async (hash) => (agentByHash.get(hash) as string | undefined) ?? null,
    touch: async (id, now) => void touch.run({ id, now }),
  };
}
