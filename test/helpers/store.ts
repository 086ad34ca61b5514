import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { openDatabase } from '../../src/store/sqlite/open.js';
import { freshPostgresFleetUrl, TEST_ENGINE } from './postgres.js';

/** Where one test app keeps its data, and how to throw it away afterwards. */
export interface TestDatabase {
  /** the `--db` value: a SQLite file, or (with a PostgreSQL run) a database URL */
  db: string;
  drop(): Promise<void>;
}

/**
 * The one factory every service and MCP test gets its database from, so the same contract suite
 * runs on both engines. Default: a fresh SQLite file in the test's temp dir. With
 * FLEETDECK_TEST_STORE=postgres (vitest.postgres.config.ts): a fresh schema in the test file's
 * own PostgreSQL database (test/helpers/postgres.ts), dropped with that database after the file;
 * apps opened on the same `dir` share one fleet, as they would share one SQLite file.
 */
export async function testDatabase(dir: string): Promise<TestDatabase> {
  if (TEST_ENGINE === 'postgres') return { db: await freshPostgresFleetUrl(dir), drop: async () => {} };
  const db = join(dir, 'fleet.db');
  if (!existsSync(db)) {
    copyFileSync(migratedTemplate(), db);
    chmodSync(db, 0o600);
  }
  return { db, drop: async () => {} };
}

/** The manual clock's start (test/helpers/app.ts): when the template's migrations say they ran. */
const TEMPLATE_MIGRATED_AT = Date.UTC(2026, 10, 23, 12);
let template: string | null = null;

/**
 * A migrated, empty fleet file, built once per test worker: each test copies it (~1 ms) instead of
 * running every migration again (~30 ms a test). The app still opens the copy through the normal
 * path, which finds the schema current; test/store/migrate.test.ts covers migrating a new file.
 */
function migratedTemplate(): string {
  if (template) return template;
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-template-'));
  const file = join(dir, 'fleet.db');
  const db = openDatabase(file, { synchronous: 'NORMAL' });
  migrate(db, TEMPLATE_MIGRATED_AT);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  template = file;
  return file;
}
