import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/app.js';

const NOW = Date.UTC(2026, 10, 23, 12);

/** The schema refuses what the domain forbids, even when a bug (or a person with sqlite3) tries. */
describe('schema constraints', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: SqliteStore;
  let db: Database.Database;
  beforeEach(async () => {
    tmp = tempDir('fleetdeck-store-');
    store = await SqliteStore.open({ file: join(tmp.dir, 'fleet.db'), synchronous: 'FULL', now: () => NOW });
    db = store.db;
    await store.write(async (tx) => {
      await tx.agents.insert({ id: 'agt_ok', name: 'alice', role: 'implementer', workspace: null, capabilities: [], tokenHash: 'h', leaseSeconds: 60, now: NOW });
      await tx.events.append({ actor: 'agt_ok', type: 'agent.registered', agentId: 'agt_ok', payload: { name: 'alice', role: null, workspace: null, capabilities: [] } }, NOW);
    });
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  const insertAgent = (overrides: Record<string, unknown>) =>
    db
      .prepare(
        `INSERT INTO agents (id, name, role, token_hash, lease_seconds, registered_at, last_seen_at, expires_at, status, liveness, stale_since, capabilities)
         VALUES (@id, @name, @role, 'h', @lease, @now, @now, @now, @status, @liveness, @staleSince, @capabilities)`,
      )
      .run({ id: 'agt_x', name: 'x', role: 'r', lease: 60, now: NOW, status: 'idle', liveness: 'active', staleSince: null, capabilities: '[]', ...overrides });

  it('accepts a well-formed row (so the refusals below are about the one bad field)', () => {
    expect(insertAgent({}).changes).toBe(1);
  });

  it('STRICT tables refuse values of the wrong type', () => {
    expect(() => insertAgent({ lease: 'sixty' })).toThrow(/cannot store TEXT value in INTEGER column agents.lease_seconds/);
    expect(() => insertAgent({ now: 1.5 })).toThrow(/cannot store REAL value in INTEGER column/);
    expect(() => db.prepare('INSERT INTO events (seq, at, actor, type, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)').run(2, 'noon', 's', 't', '{}', 'a'.repeat(64), 'b'.repeat(64))).toThrow(
      /cannot store TEXT value in INTEGER column events.at/,
    );
  });

  it('CHECK constraints refuse states and shapes outside the domain unions', () => {
    expect(() => insertAgent({ id: 'run_x' })).toThrow(/CHECK constraint failed/); // id prefix
    expect(() => insertAgent({ name: '' })).toThrow(/CHECK constraint failed/);
    expect(() => insertAgent({ status: 'sleeping' })).toThrow(/CHECK constraint failed/);
    expect(() => insertAgent({ lease: 0 })).toThrow(/CHECK constraint failed/);
    expect(() => insertAgent({ capabilities: '{"a":1}' })).toThrow(/CHECK constraint failed/); // an array, not an object
    expect(() => insertAgent({ liveness: 'stale', staleSince: null })).toThrow(/CHECK constraint failed/); // stale needs stale_since
    expect(() => insertAgent({ liveness: 'active', staleSince: NOW })).toThrow(/CHECK constraint failed/);
    expect(() => db.prepare("UPDATE agents SET progress = 1.5 WHERE id = 'agt_ok'").run()).toThrow(/CHECK constraint failed/);
    expect(() =>
      db.prepare('INSERT INTO events (seq, at, actor, type, payload, prev_hash, hash) VALUES (2, 1, ?, ?, ?, ?, ?)').run('s', 't', 'not json', 'a'.repeat(64), 'b'.repeat(64)),
    ).toThrow(/CHECK constraint failed/);
    expect(() =>
      db.prepare('INSERT INTO events (seq, at, actor, type, payload, prev_hash, hash) VALUES (2, 1, ?, ?, ?, ?, ?)').run('s', 't', '{}', 'short', 'b'.repeat(64)),
    ).toThrow(/CHECK constraint failed/);
    expect(() => db.prepare("INSERT INTO signals (agent_id, kind, message, created_at) VALUES ('agt_ok', 'shout', 'm', 1)").run()).toThrow(/CHECK constraint failed/);
  });

  it('foreign keys are enforced, and the integrity check reports rows that slipped past them', async () => {
    expect(() => db.prepare("INSERT INTO signals (agent_id, kind, message, created_at) VALUES ('agt_nobody', 'notice', 'm', 1)").run()).toThrow(/FOREIGN KEY constraint failed/);
    expect(await store.integrityCheck()).toEqual([]);

    const raw = new Database(join(tmp.dir, 'fleet.db'));
    raw.pragma('foreign_keys = OFF');
    raw.prepare("INSERT INTO signals (agent_id, kind, message, created_at) VALUES ('agt_nobody', 'notice', 'm', 1)").run();
    raw.close();
    const problems = await store.integrityCheck();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^foreign key: .*signals/);
  });
});
