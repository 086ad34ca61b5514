import Database from 'better-sqlite3';
import pg from 'pg';
import type { TestApp } from './app.js';
import { TEST_ENGINE } from './postgres.js';

/**
 * One statement straight to the fleet's database, behind the services' back (to stage a row from
 * an older version, say), on either engine. `?` placeholders; PostgreSQL gets them as $1, $2, ….
 */
export async function rawSql(t: TestApp, sql: string, ...params: unknown[]): Promise<void> {
  if (TEST_ENGINE === 'sqlite') {
    const db = new Database(t.config.db);
    try {
      db.prepare(sql).run(...params);
    } finally {
      db.close();
    }
    return;
  }
  let n = 0;
  const client = new pg.Client({ connectionString: t.config.db });
  await client.connect();
  try {
    await client.query(sql.replace(/\?/g, () => `$${++n}`), params);
  } finally {
    await client.end();
  }
}
