import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/sqlite/open.js';
import { tempDir } from '../helpers/app.js';

describe('opening the database file', () => {
  it('creates a new file, its WAL and its folder for this OS user only, in WAL mode', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, 'data', 'fleet.db');
      const db = openDatabase(file, { synchronous: 'FULL' });
      db.exec('CREATE TABLE t (a INTEGER) STRICT; INSERT INTO t VALUES (1)');
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
      db.close();
    } finally {
      cleanup();
    }
  });
});
