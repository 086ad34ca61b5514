import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defaultDataDir } from '../config.js';
import { FleetError } from '../domain/errors.js';

/**
 * A mistyped --db must not silently start an empty fleet. Commands that look at or act on a fleet
 * refuse a database file that does not exist, naming it; commands that start a fleet (serve,
 * token create, init) create the file, but only in a directory that exists — or in the default
 * data directory, which fleetdeck owns and creates.
 */
const isUrl = (db: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(db);

export function fleetExists(db: string): boolean {
  return isUrl(db) || db === ':memory:' || existsSync(db);
}

export function requireExistingFleet(db: string): void {
  if (fleetExists(db)) return;
  throw new FleetError('NOT_FOUND', `no fleet database at ${db}`, 'check --db or FLEETDECK_DB; a fleet starts with `fleetdeck serve` (or `fleetdeck init`)');
}

export function ensureFleetDirectory(db: string, env: NodeJS.ProcessEnv = process.env): void {
  if (isUrl(db) || db === ':memory:') return;
  const dir = dirname(resolve(db));
  if (existsSync(dir) || dir === resolve(defaultDataDir(env))) return;
  throw new FleetError('NOT_FOUND', `directory ${dir} does not exist (for the database ${db})`, `check --db or FLEETDECK_DB, or create it first: mkdir -p ${dir}`);
}
