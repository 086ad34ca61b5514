import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

export interface OpenOptions {
  synchronous: 'FULL' | 'NORMAL';
}

/**
 * Opens the database file with the pragmas every process must agree on. busy_timeout is short on
 * purpose: waiting happens in SqliteStore's asynchronous retry, which does not block the event loop.
 */
export function openDatabase(file: string, options: OpenOptions): Db {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // A new file is created user-only; SQLite gives its -wal and -shm files the same mode.
    closeSync(openSync(file, 'a', 0o600));
  }
  const db = new Database(file, { timeout: 25 });
  retryBusySync(() => db.pragma('journal_mode = WAL'));
  db.pragma(`synchronous = ${options.synchronous}`);
  db.pragma('foreign_keys = ON');
  db.pragma('journal_size_limit = 67108864');
  db.pragma('wal_autocheckpoint = 1000');
  return db;
}

/** Only for start-up pragmas, which several processes may race on when the file is new. */
function retryBusySync<T>(fn: () => T): T {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      return fn();
    } catch (error) {
      if (!isBusyError(error) || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 + Math.random() * 20);
    }
  }
}

export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED' || code === 'SQLITE_BUSY_RECOVERY';
}
