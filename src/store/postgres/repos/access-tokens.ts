import type { AccessTokenRepo, NewAccessToken } from '../../port/access-tokens.js';
import { toAccessToken, type AccessTokenRow } from '../../rows/access-tokens.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';

const COLUMNS = 'id, kind, agent_id, label, created_at, revoked_at, last_used_at';

const INSERT = sql(`INSERT INTO access_tokens (id, kind, agent_id, label, token_hash, created_at)
  VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`);
const GET = sql(`SELECT ${COLUMNS} FROM access_tokens WHERE id = $1`);
const BY_HASH = sql(`SELECT ${COLUMNS} FROM access_tokens WHERE token_hash = $1`);
const LIST_ALL = sql(`SELECT ${COLUMNS} FROM access_tokens ORDER BY created_at, id`);
const LIST_LIVE = sql(`SELECT ${COLUMNS} FROM access_tokens WHERE revoked_at IS NULL ORDER BY created_at, id`);
const REVOKE = sql('UPDATE access_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL');
const TOUCH = sql('UPDATE access_tokens SET last_used_at = greatest(coalesce(last_used_at, 0), $2) WHERE id = $1');
const AGENT_BY_HASH = sql('SELECT id FROM agents WHERE token_hash = $1');

export function pgAccessTokenRepo(s: PgSession): AccessTokenRepo {
  const one = async (st: typeof GET, values: unknown[]) => {
    const row = await s.one<AccessTokenRow>(st, values);
    return row ? toAccessToken(row) : null;
  };
  return {
    insert: async (r: NewAccessToken) => toAccessToken((await s.one<AccessTokenRow>(INSERT, [r.id, r.kind, r.agentId, r.label, r.tokenHash, r.now]))!),
    get: (id) => one(GET, [id]),
    findByHash: (hash) => one(BY_HASH, [hash]),
    list: async (includeRevoked) => (await s.rows<AccessTokenRow>(includeRevoked ? LIST_ALL : LIST_LIVE)).map(toAccessToken),
    revoke: async (id, now) => (await s.run(REVOKE, [id, now])) > 0,
    agentIdByRegistrationHash: async (hash) => (await s.one<{ id: string }>(AGENT_BY_HASH, [hash]))?.id ?? null,
    touch: async (id, now) => s.defer(TOUCH, [id, now]),
  };
}
