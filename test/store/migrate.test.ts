import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from '../../src/store/sqlite/migrate.js';
import { openDatabase } from '../../src/store/sqlite/open.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/app.js';

const NOW = Date.UTC(2026, 10, 23, 12);

describe('migrations', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('fleetdeck-store-');
  });
  afterEach(() => tmp.cleanup());

  it('migrates an empty file to the latest version, then migrating again changes nothing', async () => {
    const file = join(tmp.dir, 'fleet.db');
    const migrations = loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1)); // numbered 001, 002, … without gaps

    const store = await SqliteStore.open({ file, synchronous: 'FULL', now: () => NOW });
    expect(await store.schemaVersion()).toBe(migrations.length);
    const rows = store.db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(migrations.map((m) => ({ version: m.version, name: m.name, applied_at: NOW })));
    const schema = () => store.db.prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all();
    const before = schema();
    expect(before.map((r) => (r as { name: string }).name)).toEqual(expect.arrayContaining(['agents', 'events', 'signals', 'events_refuse_update', 'events_refuse_delete']));

    expect(migrate(store.db, NOW + 1)).toEqual([]);
    expect(schema()).toEqual(before);
    expect(store.db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(migrations.length);
    expect(await store.integrityCheck()).toEqual([]);
    await store.close();

    // reopening a migrated file is a no-op too
    const again = await SqliteStore.open({ file, synchronous: 'FULL', now: () => NOW + 2 });
    expect(await again.schemaVersion()).toBe(migrations.length);
    expect(again.db.prepare('SELECT max(applied_at) FROM schema_migrations').pluck().get()).toBe(NOW);
    await again.close();
  });

  it('opens the file in WAL mode with the agreed pragmas', async () => {
    const store = await SqliteStore.open({ file: join(tmp.dir, 'fleet.db'), synchronous: 'FULL', now: () => NOW });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    await store.close();
    const normal = await SqliteStore.open({ file: join(tmp.dir, 'fleet.db'), synchronous: 'NORMAL', now: () => NOW });
    expect(normal.db.pragma('synchronous', { simple: true })).toBe(1);
    await normal.close();
  });

  it('applies each migration in one transaction: a failing one leaves no trace, and a fixed one applies later', () => {
    const dir = join(tmp.dir, 'migrations');
    mkdirSync(dir);
    writeFileSync(join(dir, '001_first.sql'), 'CREATE TABLE first (id INTEGER PRIMARY KEY) STRICT;');
    writeFileSync(join(dir, '002_second.sql'), 'CREATE TABLE second (id INTEGER PRIMARY KEY) STRICT;\nINSERT INTO no_such_table VALUES (1);');
    writeFileSync(join(dir, 'README.md'), 'not a migration');
    writeFileSync(join(dir, '3_unnumbered.sql'), 'CREATE TABLE never (id INTEGER);');
    expect(loadMigrations(dir).map((m) => `${m.version}:${m.name}`)).toEqual(['1:first', '2:second']);

    const db = openDatabase(join(tmp.dir, 'custom.db'), { synchronous: 'FULL' });
    expect(() => migrate(db, NOW, loadMigrations(dir))).toThrow(/no such table/);
    const tables = () => db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables()).toEqual(['first', 'schema_migrations']);
    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual([1]);

    writeFileSync(join(dir, '002_second.sql'), 'CREATE TABLE second (id INTEGER PRIMARY KEY) STRICT;');
    expect(migrate(db, NOW, loadMigrations(dir))).toEqual([2]);
    expect(tables()).toEqual(['first', 'schema_migrations', 'second']);
    db.close();
  });

  it('lets two connections race to migrate a new file and applies every migration once', async () => {
    const file = join(tmp.dir, 'race.db');
    const [a, b] = await Promise.all([
      SqliteStore.open({ file, synchronous: 'FULL', now: () => NOW }),
      SqliteStore.open({ file, synchronous: 'FULL', now: () => NOW }),
    ]);
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(loadMigrations().length);
    raw.close();
    await a.close();
    await b.close();
  });
});
