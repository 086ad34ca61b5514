import type { AgentRepo, HeartbeatUpdate, NewAgentRow } from '../../port/agents.js';
import { toAgent, type AgentRow } from '../../rows/agents.js';
import { toJson } from '../../rows/json.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';

// paused is a boolean here and 0/1 in SQLite: the shared row mapper reads the SQLite shape.
const COLUMNS = `id, name, role, workspace, capabilities, status, note, progress, current_run_id, lease_seconds,
  registered_at, last_seen_at, last_heartbeat_at, liveness, stale_since, paused::int AS paused, tokens_in, tokens_out, cost_usd`;

const INSERT = sql(`INSERT INTO agents (id, name, role, workspace, capabilities, token_hash, lease_seconds,
    registered_at, last_seen_at, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING ${COLUMNS}`);
const GET = sql(`SELECT ${COLUMNS} FROM agents WHERE id = $1`);
const TOKEN_HASH = sql('SELECT token_hash FROM agents WHERE id = $1');
const BY_NAME_ROLE = sql(`SELECT ${COLUMNS} FROM agents WHERE name = $1 AND role = $2 ORDER BY registered_at DESC`);
const LIST = sql(`SELECT ${COLUMNS} FROM agents ORDER BY registered_at, id`);
const TOUCH = sql(`UPDATE agents SET last_seen_at = $2, expires_at = $2 + lease_seconds * 1000::bigint,
    last_heartbeat_at = CASE WHEN $3 THEN $2 ELSE last_heartbeat_at END,
    liveness = 'active', stale_since = NULL
  WHERE id = $1`);
const HEARTBEAT = sql(`UPDATE agents SET
    status = coalesce($2, status),
    note = CASE WHEN $3 THEN $4 ELSE note END,
    progress = CASE WHEN $5 THEN $6::double precision ELSE progress END,
    current_run_id = CASE WHEN $7 THEN $8 ELSE current_run_id END,
    tokens_in = tokens_in + $9, tokens_out = tokens_out + $10, cost_usd = cost_usd + $11
  WHERE id = $1`);
const EXPIRED = sql(`SELECT ${COLUMNS} FROM agents WHERE liveness = 'active' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`);
// In a write transaction the sweep's candidates are locked and rows other replicas are already
// recovering are skipped: two sweepers never both mark one agent stale (nor append its event twice).
const EXPIRED_LOCKED = sql(`SELECT ${COLUMNS} FROM agents WHERE liveness = 'active' AND expires_at <= $1
  ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`);
const MARK_STALE = sql(`UPDATE agents SET liveness = 'stale', stale_since = $2 WHERE id = $1 AND liveness = 'active'`);
const SET_PAUSED = sql('UPDATE agents SET paused = $2 WHERE id = $1');
const NEXT_EXPIRY = sql(`SELECT min(expires_at) AS at FROM agents WHERE liveness = 'active'`);

export function pgAgentRepo(s: PgSession): AgentRepo {
  const many = async (st: typeof GET, values: unknown[]) => (await s.rows<AgentRow>(st, values)).map(toAgent);
  const cached = s.cache.agents as Map<string, AgentRow | null>;
  const get = async (id: string) => {
    let row = cached.get(id);
    if (row === undefined) {
      row = await s.one<AgentRow>(GET, [id]);
      cached.set(id, row);
    }
    return row ? toAgent(row) : null;
  };
  /** a write of this agent's row: the next read goes to the database (riding with the write) */
  const wrote = (id: string) => void cached.delete(id);
  return {
    insert: async (r: NewAgentRow) =>
      toAgent(
        (await s.one<AgentRow>(INSERT, [
          r.id, r.name, r.role, r.workspace, toJson(r.capabilities), r.tokenHash, r.leaseSeconds, r.now, r.now + r.leaseSeconds * 1000,
        ]))!,
      ),
    get,
    tokenHash: async (id) => (await s.one<{ token_hash: string }>(TOKEN_HASH, [id]))?.token_hash ?? null,
    findByNameRole: (name, role) => many(BY_NAME_ROLE, [name, role]),
    list: () => many(LIST, []),
    touch: async (id, now, heartbeat) => {
      wrote(id);
      s.defer(TOUCH, [id, now, heartbeat]);
    },
    applyHeartbeat: async (id, u: HeartbeatUpdate) => {
      wrote(id);
      s.defer(HEARTBEAT, [
        id,
        u.status ?? null,
        u.note !== undefined,
        u.note ?? null,
        u.progress !== undefined,
        u.progress ?? null,
        u.currentRunId !== undefined,
        u.currentRunId ?? null,
        u.usage?.tokens_in ?? 0,
        u.usage?.tokens_out ?? 0,
        u.usage?.cost_usd ?? 0,
      ]);
    },
    listExpired: (now, limit) => many(s.writing ? EXPIRED_LOCKED : EXPIRED, [now, limit]),
    markStale: async (id, now) => {
      wrote(id);
      s.defer(MARK_STALE, [id, now]);
    },
    setPaused: async (id, paused) => {
      wrote(id);
      s.defer(SET_PAUSED, [id, paused]);
    },
    nextExpiry: async () => (await s.one<{ at: number | null }>(NEXT_EXPIRY))?.at ?? null,
  };
}
