import { join } from 'node:path';

/** Where one test app keeps its data, and how to throw it away afterwards. */
export interface TestDatabase {
  /** the `--db` value: a SQLite file, or (with a PostgreSQL run) a database URL */
  db: string;
  drop(): Promise<void>;
}

/**
 * The one factory every service and MCP test gets its database from, so the same contract suite
 * can run on another engine: a backend adds its branch here, selected by an environment variable
 * (e.g. FLEETDECK_TEST_ENGINE=postgres with a fresh database per test file), and prints why it
 * skipped when its server is unreachable. The default is a fresh SQLite file in the test's temp dir.
 */
export async function testDatabase(dir: string): Promise<TestDatabase> {
  return { db: join(dir, 'fleet.db'), drop: async () => {} };
}
