import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPgMigrations, migratePg } from '../../../src/store/postgres/migrate.js';
import { PgStore } from '../../../src/store/postgres/pg-store.js';
import { loadMigrations } from '../../../src/store/sqlite/migrate.js';
import { silentLogger } from '../../helpers/app.js';
import { createTestDatabase, postgresOrSkip, type TestDatabase } from '../../helpers/postgres.js';

const available = await postgresOrSkip('PostgreSQL migration tests');
const NOW = Date.UTC(2026, 10, 30, 12);

describe.skipIf(!available)('PostgreSQL migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('mirror the SQLite migrations one for one, numbered without gaps', () => {
    const pgs = loadPgMigrations();
    expect(pgs.map((m) => m.version)).toEqual(pgs.map((_, i) => i + 1));
    expect(pgs.map((m) => `${m.version}_${m.name}`)).toEqual(loadMigrations().map((m) => `${m.version}_${m.name}`));
  });

  it('replicas starting together apply each migration exactly once, and a later start changes nothing', async () => {
    // five processes' worth of stores opening one empty database at the same moment
    const stores = await Promise.all(Array.from({ length: 5 }, (_, i) => PgStore.open({ url: db.url, now: () => NOW + i, logger: silentLogger, poolMax: 2 })));
    const known = loadPgMigrations().length;
    for (const s of stores) expect(await s.schemaVersion()).toBe(known);
    const rows = await stores[0]!.pool.query('SELECT version, applied_at FROM schema_migrations ORDER BY version');
    expect(rows.rows.map((r: { version: number }) => r.version)).toEqual(loadPgMigrations().map((m) => m.version));
    // all recorded by one opener, in one transaction
    expect(new Set(rows.rows.map((r: { applied_at: number }) => r.applied_at)).size).toBe(1);
    expect(await stores[0]!.integrityCheck()).toEqual([]);

    const client = await stores[0]!.pool.connect();
    try {
      expect(await migratePg(client, NOW + 10)).toEqual([]);
    } finally {
      client.release();
    }
    await Promise.all(stores.map((s) => s.close()));
  });

  it('refuses to open when a migration fails, leaving no half-applied schema', async () => {
    const broken = await createTestDatabase();
    const client = new pg.Client({ connectionString: broken.url });
    await client.connect();
    try {
      const pool = new pg.Pool({ connectionString: broken.url, max: 1 });
      const pc = await pool.connect();
      const migrations = [...loadPgMigrations().slice(0, 2), { version: 3, name: 'broken', sql: 'CREATE TABLE nope (' }];
      await expect(migratePg(pc, NOW, migrations)).rejects.toThrow();
      pc.release();
      await pool.end();
      const tables = await client.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
      expect(tables.rows[0].n).toBe(0);
    } finally {
      await client.end();
      await broken.drop();
    }
  });
});
