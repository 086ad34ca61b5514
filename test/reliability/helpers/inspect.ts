/**
 * Reads a fleet's SQLite file directly, beside the product, so the suites judge the file itself
 * rather than the store they are testing (and do not depend on the Store port's shape).
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';

export type Db = Database.Database;

export function openFile(path: string, readonly = false): Db {
  const db = new Database(path, { readonly, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** `PRAGMA integrity_check` rows: `['ok']` when the file is sound. */
export function integrityCheck(db: Db): string[] {
  return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
}

/** Increments whenever another connection commits (SQLite's own change counter for this connection). */
export function dataVersion(db: Db): number {
  return db.pragma('data_version', { simple: true }) as number;
}

export function lastSeq(db: Db): number {
  return (db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM events').get() as { seq: number }).seq;
}

/**
 * A checksum of the fleet's state: every row of every table, except what a call legitimately
 * touches even when it fails — the caller's sign of life (last_seen_at, expires_at) and its
 * signal delivery cursor. Signals count by rows only, so a change in how delivery is recorded
 * does not read as a state change, while a new signal does. The audit log counts by its head.
 */
export function stateChecksum(db: Db): string {
  const hash = createHash('sha256');
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  const volatile: Record<string, Set<string>> = { agents: new Set(['last_seen_at', 'expires_at', 'signal_cursor']) };
  for (const table of tables) {
    if (table === 'events') {
      // append-only (triggers refuse UPDATE and DELETE) and hash-chained: the head names it all
      const head = db.prepare('SELECT count(*) AS n, coalesce(max(seq), 0) AS seq, (SELECT hash FROM events ORDER BY seq DESC LIMIT 1) AS hash FROM events').get();
      hash.update(`events:${JSON.stringify(head)}`);
      continue;
    }
    if (/signal/.test(table)) {
      if (table === 'signals') hash.update(`signals:${(db.prepare('SELECT count(*) AS n FROM signals').get() as { n: number }).n}`);
      continue;
    }
    const columns = (db.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string }[]).map((c) => c.name).filter((c) => !volatile[table]?.has(c));
    hash.update(`${table}(${columns.join(',')})`);
    // every column in order: WITHOUT ROWID tables (and any other) sort the same way every time
    const order = columns.map((_c, i) => String(i + 1)).join(', ');
    const rows = db.prepare(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)}${order ? ` ORDER BY ${order}` : ''}`).raw().all() as unknown[][];
    for (const row of rows) hash.update(JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : typeof v === 'bigint' ? v.toString() : v)));
  }
  return hash.digest('hex');
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export interface EventRow {
  seq: number;
  type: string;
  actor: string;
  agent_id: string | null;
  run_id: string | null;
  subject_id: string | null;
  payload: Record<string, unknown>;
}

export function events(db: Db, types?: string[]): EventRow[] {
  const where = types ? `WHERE type IN (${types.map(() => '?').join(', ')})` : '';
  const rows = db.prepare(`SELECT seq, type, actor, agent_id, run_id, subject_id, payload FROM events ${where} ORDER BY seq`).all(...(types ?? [])) as (Omit<EventRow, 'payload'> & { payload: string })[];
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as Record<string, unknown> }));
}
