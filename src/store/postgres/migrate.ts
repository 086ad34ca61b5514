import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PoolClient } from 'pg';
import { newerSchema } from '../schema-version.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered, append-only migrations: `NNN_name.sql`, applied in order. */
export function loadPgMigrations(dir = MIGRATIONS_DIR): PgMigration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: readFileSync(`${dir}/${f}`, 'utf8') }));
}

/** Any fixed 64-bit number: the advisory lock every fleetdeck replica takes to migrate this database. */
const MIGRATION_LOCK = 7_305_164_511_204_019n;

/**
 * Applies every migration not yet recorded, all in one transaction (PostgreSQL DDL is
 * transactional) under a transaction-scoped advisory lock: replicas starting together queue on the
 * lock, and each re-reads the recorded versions after getting it, so every migration runs once and
 * a failed one leaves nothing behind. Returns the versions this call applied.
 */
export async function migratePg(client: PoolClient, now: number, migrations = loadPgMigrations()): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > known) throw newerSchema(newest, known);
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  return applied;
}
