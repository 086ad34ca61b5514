import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PG_ADMIN_URL, probePostgres } from './postgres-probe.js';
import { afterAll } from 'vitest';

/**
 * PostgreSQL for tests: the server named by FLEETDECK_TEST_PG_URL (default: the local one), and a
 * fresh database per test file (`fd_test_<random>`), dropped afterwards. When the server cannot
 * be reached the tests that need it are skipped with the reason printed, never passed silently.
 */
export { PG_ADMIN_URL, probePostgres, type PgProbe } from './postgres-probe.js';

/** Probes once per test file and prints why the PostgreSQL tests are skipped, if they are. */
export async function postgresOrSkip(what: string): Promise<boolean> {
  const probe = await probePostgres();
  if (!probe.ok) console.warn(`skipping ${what}: ${probe.reason}`);
  return probe.ok;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database on the test server; `drop` removes it (disconnecting what is left). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `fd_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  // Test databases trade durability for speed: a commit does not wait for its WAL flush.
  await admin(`ALTER DATABASE ${name} SET synchronous_commit = off`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Which engine the service and MCP tests run on: FLEETDECK_TEST_STORE=postgres, else SQLite. */
export const TEST_ENGINE: 'sqlite' | 'postgres' = process.env.FLEETDECK_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

let fileDatabase: Promise<TestDatabase> | null = null;

/**
 * A fresh, empty fleet for one test app on PostgreSQL: the test file's database (created on first
 * use, dropped after the file) and in it a new schema, selected through the URL's search_path.
 * Creating a database costs ~0.4 s here, a schema a few milliseconds.
 */
const fleetByDir = new Map<string, string>();

/** `dir`: apps opened on the same directory share one fleet (as they share one SQLite file). */
export async function freshPostgresFleetUrl(dir?: string): Promise<string> {
  const shared = dir === undefined ? undefined : fleetByDir.get(dir);
  if (shared) return shared;
  if (!fileDatabase) {
    const probe = await probePostgres();
    if (!probe.ok) throw new Error(`FLEETDECK_TEST_STORE=postgres but ${probe.reason}`);
    fileDatabase = createTestDatabase();
  }
  const db = await fileDatabase;
  const schema = `fleet_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  const url = new URL(db.url);
  url.searchParams.set('options', `-c search_path=${schema}`);
  if (dir !== undefined) fleetByDir.set(dir, url.toString());
  return url.toString();
}

// Registered while the test file is collected (this module is evaluated once per file).
if (TEST_ENGINE === 'postgres' && process.env.VITEST) {
  afterAll(async () => {
    const db = fileDatabase ? await fileDatabase : null;
    fileDatabase = null;
    await db?.drop();
  });
}

/**
 * For a test that inspects SQLite itself (query plans, raw SQL against its CHECKs): skipped on the
 * PostgreSQL run with the reason printed; test/store/postgres covers the same ground there.
 */
export function sqliteInternals(what: string): boolean {
  if (TEST_ENGINE !== 'postgres') return false;
  console.warn(`skipping on PostgreSQL (inspects SQLite internals): ${what}`);
  return true;
}
