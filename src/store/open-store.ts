import type { Logger } from '../logger.js';
import type { Store } from './port/index.js';
import { PgStore } from './postgres/pg-store.js';
import { isPostgresUrl } from './postgres/url.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

export interface StoreSettings {
  /** a SQLite file path, or a postgres:// / postgresql:// URL */
  db: string;
  synchronous: 'FULL' | 'NORMAL';
}

/** The one place that picks the engine: a PostgreSQL URL selects PostgreSQL, anything else is a SQLite file. */
export function openStore(settings: StoreSettings, now: () => number, logger: Logger): Promise<Store> {
  if (isPostgresUrl(settings.db)) return PgStore.open({ url: settings.db, now, logger });
  return SqliteStore.open({ file: settings.db, synchronous: settings.synchronous, now });
}
