import { join } from 'node:path';
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
  return { db: join(dir, 'fleet.db'), drop: async () => {} };
}
