import type { Logger } from '../logger.js';
import type { Store } from './port/index.js';
import { isPostgresUrl } from './postgres/url.js';

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
