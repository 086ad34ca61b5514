import type { ConsoleSessionRepo } from '../../port/console-sessions.js';
import { CONSOLE_SESSION_COLUMNS, toConsoleSession, type ConsoleSessionRow } from '../../rows/console-sessions.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';

const INSERT = sql(`INSERT INTO console_sessions (${CONSOLE_SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`);
const GET = sql(`SELECT ${CONSOLE_SESSION_COLUMNS} FROM console_sessions WHERE id_hash = $1`);
const TOUCH = sql('UPDATE console_sessions SET last_seen_at = greatest(last_seen_at, $2) WHERE id_hash = $1');
const DELETE = sql('DELETE FROM console_sessions WHERE id_hash = $1');
const PRUNE = sql('DELETE FROM console_sessions WHERE last_seen_at < $1 OR created_at < $2');
const TRIM = sql(`DELETE FROM console_sessions WHERE id_hash IN (
  SELECT id_hash FROM console_sessions ORDER BY last_seen_at DESC, id_hash OFFSET $1)`);
const COUNT = sql('SELECT count(*)::int AS n FROM console_sessions');
const FORGET = sql(`INSERT INTO console_forgotten_agents (agent_id, forgotten_at, forgotten_by) VALUES ($1, $2, $3)
  ON CONFLICT (agent_id) DO UPDATE SET forgotten_at = excluded.forgotten_at, forgotten_by = excluded.forgotten_by`);
const FORGOTTEN = sql('SELECT agent_id, forgotten_at FROM console_forgotten_agents');

export function pgConsoleSessionRepo(s: PgSession): ConsoleSessionRepo {
  return {
    insert: async (r) => void (await s.run(INSERT, [r.idHash, r.operator, r.tokenId, r.csrf, r.createdAt, r.lastSeenAt])),
    get: async (idHash) => {
      const row = await s.one<ConsoleSessionRow>(GET, [idHash]);
      return row ? toConsoleSession(row) : null;
    },
    touch: async (idHash, now) => void (await s.run(TOUCH, [idHash, now])),
    delete: async (idHash) => void (await s.run(DELETE, [idHash])),
    prune: (idleBefore, createdBefore) => s.run(PRUNE, [idleBefore, createdBefore]),
    trim: (keep) => s.run(TRIM, [keep]),
    count: async () => (await s.one<{ n: number }>(COUNT))?.n ?? 0,
    forgetAgent: async (agentId, now, by) => void (await s.run(FORGET, [agentId, now, by])),
    forgottenAgents: async () => new Map((await s.rows<{ agent_id: string; forgotten_at: string }>(FORGOTTEN)).map((r) => [r.agent_id, Number(r.forgotten_at)])),
  };
}
