import Database from 'better-sqlite3';
import pg from 'pg';
import type { TestApp } from './app.js';
import { TEST_ENGINE } from './postgres.js';

export interface WriteWatch {
  /** changes whenever anything committed a write to the fleet's database since the last look */
  version(): Promise<string>;
  close(): Promise<void>;
}

/**
 * "Changes nothing in the database", checkable on both engines. SQLite: another connection's
 * PRAGMA data_version moves on every commit by anyone. PostgreSQL: a digest of every row of every
 * table in the fleet's schema (the server's own counters are shared by parallel test databases).
 */
export async function watchWrites(t: TestApp): Promise<WriteWatch> {
  if (TEST_ENGINE === 'sqlite') {
    const watcher = new Database(t.config.db, { readonly: true });
    return {
      version: async () => String(watcher.pragma('data_version', { simple: true })),
      close: async () => void watcher.close(),
    };
  }
  const client = new pg.Client({ connectionString: t.config.db });
  await client.connect();
  return {
    async version() {
      const tables = await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`);
      const parts: string[] = [];
      for (const { name } of tables.rows) {
        const r = await client.query<{ d: string | null }>(`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS d FROM ${name} t`);
        parts.push(`${name}:${r.rows[0]?.d ?? ''}`);
      }
      return parts.join(',');
    },
    close: () => client.end(),
  };
}
