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
