import type { ConsoleSessionRecord } from '../port/console-sessions.js';

export interface ConsoleSessionRow {
  id_hash: string;
  operator: string;
  token_id: string | null;
  csrf: string;
  created_at: number | string;
  last_seen_at: number | string;
}

export const CONSOLE_SESSION_COLUMNS = 'id_hash, operator, token_id, csrf, created_at, last_seen_at';

export const toConsoleSession = (row: ConsoleSessionRow): ConsoleSessionRecord => ({
  idHash: row.id_hash,
  operator: row.operator,
  tokenId: row.token_id,
  csrf: row.csrf,
  createdAt: Number(row.created_at),
  lastSeenAt: Number(row.last_seen_at),
});
