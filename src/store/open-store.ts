import { FleetError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { Store } from './port/index.js';
import { isPostgresUrl } from './postgres/url.js';

/** What adapters may know of a `--db` value without knowing the engines: which kind it is, and how to show it. */
export { isPostgresUrl, redactUrl } from './postgres/url.js';

export interface StoreSettings {
  /** a SQLite file path, or a postgres:// / postgresql:// URL */
  db: string;
  synchronous: 'FULL' | 'NORMAL';
}

/**
 * The one place that picks the engine: a PostgreSQL URL selects PostgreSQL, anything else is a
 * SQLite file. Each engine is imported only when chosen: a one-shot process (a Claude Code hook runs
 * on every tool call) does not pay for loading the driver it does not use.
 */
export async function openStore(settings: StoreSettings, now: () => number, logger: Logger): Promise<Store> {
  if (isPostgresUrl(settings.db)) {
    const { PgStore } = await import('./postgres/pg-store.js');
    return PgStore.open({ url: settings.db, now, logger });
  }
  const { SqliteStore } = await import('./sqlite/sqlite-store.js');
  return SqliteStore.open({ file: settings.db, synchronous: settings.synchronous, now });
}

/** The newest schema version this build's migrations for the engine of `db` reach (for `doctor`). */
export async function knownSchemaVersion(db: string): Promise<number> {
  if (isPostgresUrl(db)) {
    const { PgStore } = await import('./postgres/pg-store.js');
    return PgStore.knownVersion();
  }
  const { loadMigrations } = await import('./sqlite/migrate.js');
  return Math.max(0, ...loadMigrations().map((m) => m.version));
}

/** A data-directory file carried in an embedded fleet's backup (evidence blobs, the policy file). */
export interface BackupDataFile {
  relativePath: string;
  absolutePath: string;
}

const POSTGRES_BACKUP_HINT =
  'back up PostgreSQL with its own tools (pg_dump, or base backups with WAL archiving for point-in-time recovery), then run `fleetdeck doctor` and `fleetdeck audit verify` on the restored database (docs/retention.md)';

/**
 * `fleetdeck backup`: a consistent copy of a live embedded fleet while writers run (SQLite's online
 * backup API), with the data files it refers to, in one file.
 */
export async function backupFleet(db: string, destination: string, dataFiles: () => BackupDataFile[]) {
  if (isPostgresUrl(db)) throw new FleetError('INVALID_INPUT', 'fleetdeck backup copies the embedded SQLite fleet only', POSTGRES_BACKUP_HINT);
  const { backupDatabase } = await import('./sqlite/backup.js');
  return backupDatabase(db, destination, dataFiles);
}

/** `fleetdeck restore`: a backup written by backupFleet becomes `<dataDir>/fleet.db` with its data files. */
export async function restoreFleet(backupFile: string, dataDir: string) {
  const { restoreDatabase } = await import('./sqlite/backup.js');
  return restoreDatabase(backupFile, dataDir);
}
