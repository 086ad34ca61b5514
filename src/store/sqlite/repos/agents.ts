import type { AgentRepo, HeartbeatUpdate, NewAgentRow } from '../../port/agents.js';
import { toAgent, type AgentRow } from '../../rows/agents.js';
import type { Db } from '../open.js';
import { toJson } from '../../rows/json.js';

const COLUMNS = `id, name, role, workspace, capabilities, status, note, progress, current_run_id, lease_seconds,
  registered_at, last_seen_at, last_heartbeat_at, liveness, stale_since, paused, tokens_in, tokens_out, cost_usd`;

export function sqliteAgentRepo(db: Db): AgentRepo {
  const insert = db.prepare(`INSERT INTO agents (id, name, role, workspace, capabilities, token_hash, lease_seconds,
      registered_at, last_seen_at, expires_at)
    VALUES (@id, @name, @role, @workspace, @capabilities, @tokenHash, @leaseSeconds, @now, @now, @expiresAt)
    RETURNING ${COLUMNS}`);
  const get = db.prepare(`SELECT ${COLUMNS} FROM agents WHERE id = ?`);
  const tokenHash = db.prepare('SELECT token_hash FROM agents WHERE id = ?').pluck();
  const byNameRole = db.prepare(`SELECT ${COLUMNS} FROM agents WHERE name = ? AND role = ? ORDER BY registered_at DESC`);
  const list = db.prepare(`SELECT ${COLUMNS} FROM agents ORDER BY registered_at`);
  const touch = db.prepare(`UPDATE agents SET last_seen_at = @now, expires_at = @now + lease_seconds * 1000,
      last_heartbeat_at = CASE WHEN @heartbeat = 1 THEN @now ELSE last_heartbeat_at END,
      liveness = 'active', stale_since = NULL
    WHERE id = @id`);
  const heartbeat = db.prepare(`UPDATE agents SET
      status = coalesce(@status, status),
      note = CASE WHEN @setNote = 1 THEN @note ELSE note END,
      progress = CASE WHEN @setProgress = 1 THEN @progress ELSE progress END,
      current_run_id = CASE WHEN @setRun = 1 THEN @runId ELSE current_run_id END,
      tokens_in = tokens_in + @tokensIn, tokens_out = tokens_out + @tokensOut, cost_usd = cost_usd + @cost
    WHERE id = @id`);
  const expired = db.prepare(`SELECT ${COLUMNS} FROM agents WHERE liveness = 'active' AND expires_at <= ? ORDER BY expires_at LIMIT ?`);
  const markStale = db.prepare(`UPDATE agents SET liveness = 'stale', stale_since = @now WHERE id = @id AND liveness = 'active'`);
  const setPaused = db.prepare('UPDATE agents SET paused = ? WHERE id = ?');
  const nextExpiry = db.prepare(`SELECT min(expires_at) FROM agents WHERE liveness = 'active'`).pluck();

  return {
    insert: async (row: NewAgentRow) =>
      toAgent(
        insert.get({
          ...row,
          capabilities: toJson(row.capabilities),
          expiresAt: row.now + row.leaseSeconds * 1000,
        }) as AgentRow,
      ),
    get: async (id) => {
      const row = get.get(id) as AgentRow | undefined;
      return row ? toAgent(row) : null;
    },
    tokenHash: async (id) => (tokenHash.get(id) as string | undefined) ?? null,
    findByNameRole: async (name, role) => (byNameRole.all(name, role) as AgentRow[]).map(toAgent),
    list: async () => (list.all() as AgentRow[]).map(toAgent),
    touch: async (id, now, isHeartbeat) => void touch.run({ id, now, heartbeat: isHeartbeat ? 1 : 0 }),
    applyHeartbeat: async (id, u: HeartbeatUpdate) =>
      void heartbeat.run({
        id,
        status: u.status ?? null,
        setNote: u.note === undefined ? 0 : 1,
        note: u.note ?? null,
        setProgress: u.progress === undefined ? 0 : 1,
        progress: u.progress ?? null,
        setRun: u.currentRunId === undefined ? 0 : 1,
        runId: u.currentRunId ?? null,
        tokensIn: u.usage?.tokens_in ?? 0,
        tokensOut: u.usage?.tokens_out ?? 0,
        cost: u.usage?.cost_usd ?? 0,
      }),
    listExpired: async (now, limit) => (expired.all(now, limit) as AgentRow[]).map(toAgent),
    markStale: async (id, now) => void markStale.run({ id, now }),
    setPaused: async (id, paused) => void setPaused.run(paused ? 1 : 0, id),
    nextExpiry: async () => (nextExpiry.get() as number | null) ?? null,
  };
}
