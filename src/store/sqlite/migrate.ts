import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FleetError } from '../../domain/errors.js';
import { newerSchema } from '../schema-version.js';
import type { Db } from './open.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered, append-only migrations: `NNN_name.sql`, applied in order, each in one transaction. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: readFileSync(`${dir}/${f}`, 'utf8') }));
}

/**
 * Applies every migration not yet recorded. Each runs in BEGIN IMMEDIATE and re-checks the
 * version inside the transaction, so several processes starting at once apply it exactly once.
 */
export function migrate(db: Db, now: number, migrations = loadMigrations()): number[] {
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const version = appliedVersion(db);
  if (version > known) throw newerSchema(version, known);
  // an up-to-date file (every start but the first) costs one read, not a write-lock attempt per
  // migration; counted too, so a migration numbered below the newest applied one still runs
  if (appliedCount(db) >= migrations.length && version >= known) return [];
  if (version === 0 && hasForeignTables(db)) {
    throw new FleetError('INVALID_STATE', 'this SQLite file is not a fleetdeck database (it has tables, but no fleetdeck schema)', 'check --db or FLEETDECK_DB: it names another program\'s database');
  }
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
  const applied: number[] = [];
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (isApplied.get(m.version)) continue;
    db.transaction(() => {
      if (isApplied.get(m.version)) return;
      db.exec(m.sql);
      record.run(m.version, m.name, now);
      applied.push(m.version);
    }).immediate();
  }
  return applied;
}

export function currentVersion(db: Db): number {
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null } | undefined;
  return row?.v ?? 0;
}

function appliedCount(db: Db): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  return table ? (db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n : 0;
}

function appliedVersion(db: Db): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  return table ? currentVersion(db) : 0;
}

// schema_migrations is ours: another process starting on the same new file creates it (empty)
// before its first migration commits, and must not make this one call the file foreign
function hasForeignTables(db: Db): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> 'schema_migrations' LIMIT 1").get() !== undefined;
}
