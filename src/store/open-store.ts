import type { Store } from './port/index.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

export interface StoreSettings {
  /** a SQLite file path (the embedded default) */
  db: string;
  synchronous: 'FULL' | 'NORMAL';
}

/**
 * The one place that picks a storage engine for a configuration; the composition root
 * (main.ts) and tools that open a database call it. Everything above it sees only the Store port.
 */
export async function openStore(settings: StoreSettings, now: () => number): Promise<Store> {
  return SqliteStore.open({ file: settings.db, synchronous: settings.synchronous, now });
}
