import pg from 'pg';

/** The PostgreSQL server tests use: FLEETDECK_TEST_PG_URL, default the local one. */
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

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
