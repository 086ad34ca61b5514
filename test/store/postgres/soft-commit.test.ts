import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgStore } from '../../../src/store/postgres/pg-store.js';
import { silentLogger } from '../../helpers/app.js';
import { createTestDatabase, postgresOrSkip, type TestDatabase } from '../../helpers/postgres.js';
import { insertAgent, T0 } from './fixtures.js';

const available = await postgresOrSkip('PostgreSQL soft commit tests');

/**
 * Signs of life on PostgreSQL (issue 22): a write whose `soft` predicate answers true commits with
 * `synchronous_commit = off` for that transaction only; the setting never outlives it on the pooled
 * connection, and a write answering false commits as usual.
 */
describe.skipIf(!available)('PostgreSQL soft commits', () => {
  let db: TestDatabase;
  let store: PgStore;
  let other: PgStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    // one pooled connection: the next transaction runs on the connection the soft commit used
    store = await PgStore.open({ url: db.url, now: () => T0, logger: silentLogger, poolMax: 1 });
    other = await PgStore.open({ url: db.url, now: () => T0, logger: silentLogger, poolMax: 1 });
    // test databases default to synchronous_commit = off (test/helpers/postgres.ts): the product's default here
    await store.pool.query('SET synchronous_commit = on');
  });
  afterAll(async () => {
    await store?.close();
    await other?.close();
    await db?.drop();
  });

  const setting = () => store.pool.query<{ synchronous_commit: string }>('SHOW synchronous_commit').then((r) => r.rows[0]!.synchronous_commit);

  it('commits a soft write, visible to another replica, without leaving the setting on the connection', async () => {
    const agentId = await store.write(async (tx) => insertAgent(tx, 'soft'));
    const asked: string[] = [];
    await store.write(
      async (tx) => {
        await tx.agents.touch(agentId, T0 + 1_000, true);
      },
      {
        soft: () => {
          asked.push('soft');
          return true;
        },
      },
    );
    expect(asked).toEqual(['soft']);
    expect((await other.read(async (tx) => tx.agents.get(agentId)))?.lastSeenAt).toBe(T0 + 1_000);
    expect(await setting()).toBe('on');
  });

  it('commits a write whose predicate answers false as usual', async () => {
    const agentId = await store.write(async (tx) => insertAgent(tx, 'hard'), { soft: () => false });
    expect((await other.read(async (tx) => tx.agents.get(agentId)))?.name).toBe('hard');
    expect(await setting()).toBe('on');
  });
});
