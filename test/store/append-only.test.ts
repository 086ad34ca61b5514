import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../src/domain/event.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/app.js';

const NOW = Date.UTC(2026, 10, 23, 12);

describe('the audit log is append-only and chained', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteStore;
  let file: string;
  beforeEach(async () => {
    tmp = tempDir('fleetdeck-store-');
    file = join(tmp.dir, 'fleet.db');
    store = await SqliteStore.open({ file, synchronous: 'FULL', now: () => NOW });
    await store.write(async (tx) => {
      for (let i = 0; i < 3; i++) await tx.events.append({ actor: 'system', type: 'agent.heartbeat', payload: { progress: i } }, NOW + i);
    });
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  it('chains each event to the one before it, starting from the genesis hash', async () => {
    const events = await store.read(async (tx) => await tx.events.list({ limit: 10 }));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    expect(events[1]!.prevHash).toBe(events[0]!.hash);
    expect(events[2]!.prevHash).toBe(events[1]!.hash);
  });

  it('refuses UPDATE and DELETE on events, from any connection', () => {
    const raw = new Database(file);
    try {
      expect(() => raw.prepare("UPDATE events SET payload = '{\"progress\":99}' WHERE seq = 2").run()).toThrow(/events are append-only/);
      expect(() => raw.prepare('UPDATE events SET at = at + 1').run()).toThrow(/events are append-only/);
      expect(() => raw.prepare('DELETE FROM events WHERE seq = 3').run()).toThrow(/events are append-only/);
      expect(() => raw.prepare('DELETE FROM events').run()).toThrow(/events are append-only/);
      expect(raw.prepare('SELECT count(*) FROM events').pluck().get()).toBe(3);
      expect(raw.prepare('SELECT payload FROM events WHERE seq = 2').pluck().get()).toBe('{"progress":1}');
    } finally {
      raw.close();
    }
  });

  it('refuses a second event with the same seq (two writers cannot fork the chain)', () => {
    const raw = new Database(file);
    try {
      const last = raw.prepare('SELECT hash FROM events WHERE seq = 2').pluck().get() as string;
      expect(() =>
        raw.prepare('INSERT INTO events (seq, at, actor, type, payload, prev_hash, hash) VALUES (3, 1, ?, ?, ?, ?, ?)').run('x', 't', '{}', last, 'c'.repeat(64)),
      ).toThrow(/UNIQUE constraint failed: events.seq/);
    } finally {
      raw.close();
    }
  });
});
