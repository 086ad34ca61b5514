import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/app.js';

const NOW = Date.UTC(2026, 10, 23, 12);

describe('claims table (002_claims.sql)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteStore;
  beforeEach(async () => {
    tmp = tempDir('fleetdeck-claims-store-');
    store = await SqliteStore.open({ file: join(tmp.dir, 'fleet.db'), synchronous: 'NORMAL', now: () => NOW });
    store.db
      .prepare(`INSERT INTO agents (id, name, role, token_hash, lease_seconds, registered_at, last_seen_at, expires_at)
        VALUES ('agt_a', 'a', 'r', 'h', 300, ?, ?, ?)`)
      .run(NOW, NOW, NOW + 300_000);
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  const insert = (over: Record<string, unknown> = {}) =>
    store.db
      .prepare(`INSERT INTO claims (id, workspace, kind, pattern, prefix, mode, agent_id, ttl_seconds, created_at, expires_at, state, released_at)
        VALUES (@id, '/w', @kind, 'src/**', @prefix, @mode, @agent, 900, 0, 900000, @state, @released)`)
      .run({ id: 'clm_1', kind: 'path', prefix: 'src/', mode: 'exclusive', agent: 'agt_a', state: 'active', released: null, ...over });

  it('accepts a well-formed claim and refuses what the CHECKs and the foreign key exclude', () => {
    expect(() => insert()).not.toThrow();
    expect(() => insert({ id: 'clm_2', kind: 'file' })).toThrow(/CHECK/);
    expect(() => insert({ id: 'clm_3', mode: 'readonly' })).toThrow(/CHECK/);
    expect(() => insert({ id: 'clm_4', state: 'gone', released: 1 })).toThrow(/CHECK/);
    expect(() => insert({ id: 'clm_5', state: 'released' })).toThrow(/CHECK/); // released without released_at
    expect(() => insert({ id: 'clm_6', released: 1 })).toThrow(/CHECK/); // active with released_at
    expect(() => insert({ id: 'clm_7', prefix: 'src' })).toThrow(/CHECK/); // a prefix ends with '/'
    expect(() => insert({ id: 'bad_8' })).toThrow(/CHECK/);
    expect(() => insert({ id: 'clm_9', agent: 'agt_nobody' })).toThrow(/FOREIGN KEY/);
  });

  it('ends a claim once: a second end of the same claim changes nothing', async () => {
    insert();
    const first = await store.write(async (tx) => await tx.claims.end('clm_1', 'released', 'released', NOW));
    const second = await store.write(async (tx) => await tx.claims.end('clm_1', 'expired', 'ttl', NOW + 1));
    expect(first).toMatchObject({ state: 'released', releasedAt: NOW, releaseReason: 'released' });
    expect(second).toBeNull();
  });
});
