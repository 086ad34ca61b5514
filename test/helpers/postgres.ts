import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * PostgreSQL for tests: the server named by FLEETDECK_TEST_PG_URL (default: the local one), and a
 * fresh database per test file (`fd_test_<random>`), dropped afterwards. When the server cannot
 * be reached the tests that need it are skipped with the reason printed, never passed silently.
 */
export const PG_ADMIN_URL = process.env.FLEETDECK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface PgProbe {
  ok: boolean;
  reason: string;
}

export async function probePostgres(url = PG_ADMIN_URL): Promise<PgProbe> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true, reason: '' };
  } catch (error) {
    return { ok: false, reason: `PostgreSQL unreachable at ${redact(url)}: ${(error as Error).message} (set FLEETDECK_TEST_PG_URL)` };
  } finally {
    await client.end().catch(() => {});
  }
}

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

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
