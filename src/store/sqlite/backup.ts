import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { FleetError } from '../../domain/errors.js';

/**
 * The embedded fleet's backup format: one SQLite file. It is a consistent snapshot of the fleet
 * database plus a table `fleetdeck_backup_files` holding the data-directory files the fleet
 * refers to (evidence blobs too large to be stored inline, the policy file), so one file is the
 * whole fleet. Restore writes them back beside the restored database and drops the table.
 */
const FILES_TABLE = 'fleetdeck_backup_files';

/** A data-directory file to carry in the backup: its path relative to the data directory. */
export interface DataFile {
  relativePath: string;
  absolutePath: string;
}

export interface BackupReport {
  file: string;
  bytes: number;
  pages: number;
  dataFiles: number;
}

/**
 * Copies the live database at `source` into `destination` with SQLite's online backup API while
 * other processes keep writing. The copy is made in one backup step (every page at once), which
 * SQLite does inside one read transaction: in WAL mode writers carry on meanwhile, and the copy is
 * the database as of one commit. (Many small steps would restart whenever another connection
 * commits, and under a busy fleet might never finish.) The data files are read after the snapshot:
 * a blob is written before the commit that refers to it, so every blob the snapshot names exists.
 */
export async function backupDatabase(source: string, destination: string, dataFiles: () => DataFile[]): Promise<BackupReport> {
  if (existsSync(destination)) {
    throw new FleetError('INVALID_INPUT', `${destination} already exists`, 'name a new file; a backup never overwrites one');
  }
  if (!existsSync(dirname(destination))) {
    throw new FleetError('NOT_FOUND', `directory ${dirname(destination)} does not exist`, `create it first: mkdir -p ${dirname(destination)}`);
  }
  const partial = `${destination}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 5_000 });
  try {
    const progress = await db.backup(partial, { progress: () => 0x7fffffff });
    const files = dataFiles();
    const copy = new Database(partial);
    try {
      copy.pragma('journal_mode = DELETE');
      copy.exec(`CREATE TABLE ${FILES_TABLE} (path TEXT PRIMARY KEY, bytes BLOB NOT NULL) STRICT`);
      const insert = copy.prepare(`INSERT INTO ${FILES_TABLE} (path, bytes) VALUES (?, ?)`);
      copy.transaction(() => {
        for (const f of files) insert.run(f.relativePath.split(sep).join('/'), readFileSync(f.absolutePath));
      })();
    } finally {
      copy.close();
    }
    renameSync(partial, destination);
    const bytes = readFileSync(destination).byteLength;
    return { file: destination, bytes, pages: progress.totalPages, dataFiles: files.length };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
}

export interface RestoreReport {
  db: string;
  dataDir: string;
  dataFiles: number;
}

/**
 * Brings a backup up as the fleet database `<dataDir>/fleet.db`, with its data files beside it.
 * Refuses to overwrite an existing fleet, and a file that is not a fleetdeck backup.
 */
export function restoreDatabase(backupFile: string, dataDir: string): RestoreReport {
  if (!existsSync(backupFile)) throw new FleetError('NOT_FOUND', `no backup at ${backupFile}`, 'name a file written by `fleetdeck backup FILE`');
  const target = join(dataDir, 'fleet.db');
  if (existsSync(target)) {
    throw new FleetError('INVALID_STATE', `${target} already exists`, 'restore into an empty data directory; a restore never overwrites a fleet');
  }
  if (!existsSync(dirname(dataDir))) {
    throw new FleetError('NOT_FOUND', `directory ${dirname(dataDir)} does not exist`, `create it first: mkdir -p ${dataDir}`);
  }
  const source = new Database(backupFile, { readonly: true, fileMustExist: true });
  try {
    const table = source.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(FILES_TABLE);
    const migrations = source.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
    if (!table || !migrations) {
      throw new FleetError('INVALID_INPUT', `${backupFile} is not a fleetdeck backup`, 'name a file written by `fleetdeck backup FILE`');
    }
  } catch (error) {
    if (error instanceof FleetError) throw error;
    throw new FleetError('INVALID_INPUT', `${backupFile} is not a fleetdeck backup (${(error as Error).message})`, 'name a file written by `fleetdeck backup FILE`');
  } finally {
    source.close();
  }

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const partial = `${target}.partial`;
  writeFileSync(partial, readFileSync(backupFile), { mode: 0o600 });
  const db = new Database(partial);
  let count = 0;
  try {
    const rows = db.prepare(`SELECT path, bytes FROM ${FILES_TABLE}`).all() as { path: string; bytes: Buffer }[];
    for (const row of rows) {
      const path = normalize(join(dataDir, row.path));
      if (!path.startsWith(normalize(dataDir) + sep)) {
        throw new FleetError('INVALID_INPUT', `backup file entry ${row.path} points outside the data directory`, 'the backup was altered; use another one');
      }
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, row.bytes, { mode: 0o600 });
      count++;
    }
    db.exec(`DROP TABLE ${FILES_TABLE}`);
    db.exec('VACUUM');
    db.pragma('journal_mode = WAL');
  } catch (error) {
    db.close();
    rmSync(partial, { force: true });
    throw error;
  }
  db.close();
  renameSync(partial, target);
  return { db: target, dataDir, dataFiles: count };
}
