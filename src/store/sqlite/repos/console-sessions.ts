import type { ConsoleSessionRepo } from '../../port/console-sessions.js';
import { CONSOLE_SESSION_COLUMNS, toConsoleSession, type ConsoleSessionRow } from '../../rows/console-sessions.js';
import type { Db } from '../open.js';

export function sqliteConsoleSessionRepo(db: Db): ConsoleSessionRepo {
  const insert = db.prepare(`INSERT INTO console_sessions (${CONSOLE_SESSION_COLUMNS})
    VALUES (@idHash, @operator, @tokenId, @csrf, @createdAt, @lastSeenAt)`);
  const get = db.prepare(`SELECT ${CONSOLE_SESSION_COLUMNS} FROM console_sessions WHERE id_hash = ?`);
  const touch = db.prepare('UPDATE console_sessions SET last_seen_at = max(last_seen_at, @now) WHERE id_hash = @idHash');
  const del = db.prepare('DELETE FROM console_sessions WHERE id_hash = ?');
  const prune = db.prepare('DELETE FROM console_sessions WHERE last_seen_at < ? OR created_at < ?');
  const trim = db.prepare(`DELETE FROM console_sessions WHERE id_hash IN (
    SELECT id_hash FROM console_sessions ORDER BY last_seen_at DESC, id_hash LIMIT -1 OFFSET ?)`);
  const count = db.prepare('SELECT count(*) FROM console_sessions').pluck();
  const forget = db.prepare(`INSERT INTO console_forgotten_agents (agent_id, forgotten_at, forgotten_by) VALUES (?, ?, ?)
    ON CONFLICT (agent_id) DO UPDATE SET forgotten_at = excluded.forgotten_at, forgotten_by = excluded.forgotten_by`);
  const forgotten = db.prepare('SELECT agent_id, forgotten_at FROM console_forgotten_agents');
  return {
    insert: async (s) => void insert.run(s),
    get: async (idHash) => {
      const row = get.get(idHash) as ConsoleSessionRow | undefined;
      return row ? toConsoleSession(row) : null;
    },
    touch: async (idHash, now) => void touch.run({ idHash, now }),
    delete: async (idHash) => void del.run(idHash),
    prune: async (idleBefore, createdBefore) => prune.run(idleBefore, createdBefore).changes,
    trim: async (keep) => trim.run(keep).changes,
    count: async () => count.get() as number,
    forgetAgent: async (agentId, now, by) => void forget.run(agentId, now, by),
    forgottenAgents: async () => new Map((forgotten.all() as { agent_id: string; forgotten_at: number }[]).map((r) => [r.agent_id, r.forgotten_at])),
  };
}
