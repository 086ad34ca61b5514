import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetError } from '../../../src/domain/errors.js';
import { PgStore } from '../../../src/store/postgres/pg-store.js';
import { silentLogger } from '../../helpers/app.js';
import { createTestDatabase, postgresOrSkip, type TestDatabase } from '../../helpers/postgres.js';
import { insertAgent, T0 } from './fixtures.js';

const available = await postgresOrSkip('PostgreSQL connection-loss tests');

/**
 * PostgreSQL ends a backend under a replica (pg_terminate_backend here; a restart, a failover or
 * an idle-in-transaction timeout do the same). The call in flight fails with BUSY; the process
 * must not die of an unhandled 'error' event, and the next call works on a fresh connection.
 */
describe.skipIf(!available)('PostgreSQL store when the database drops its connection', () => {
  let db: TestDatabase;
  let store: PgStore;
  let admin: PgStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await PgStore.open({ url: db.url, now: () => T0, logger: silentLogger, poolMax: 2 });
    admin = await PgStore.open({ url: db.url, now: () => T0, logger: silentLogger, poolMax: 1 });
  });
  afterAll(async () => {
    await store?.close();
    await admin?.close();
    await db?.drop();
  });

  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);

  it('a backend terminated mid-transaction fails that call with BUSY, and the store serves the next one', async () => {
    process.on('uncaughtException', onUncaught);
    try {
      const attempt = store.write(async (tx) => {
        await insertAgent(tx, 'doomed', 'worker');
        // terminate our own backend from another connection while this transaction is open
        await admin.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'fleetdeck' AND state = 'idle in transaction'`);
        await tx.runs.get('run_after_termination');
        return 'committed';
      });
      const error = await attempt.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FleetError);
      expect((error as FleetError).code).toBe('BUSY');
      // the 'error' event of the dropped socket arrives after the rejected query; give it a turn
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);

      const agentId = await store.write((tx) => insertAgent(tx, 'survivor', 'worker'));
      expect(agentId).toMatch(/^agt_/);
      const names = await store.read(async (tx) => (await tx.agents.get(agentId))?.name);
      expect(names).toBe('survivor');
      const doomed = await admin.pool.query(`SELECT count(*)::int AS n FROM agents WHERE name = 'doomed'`);
      expect(doomed.rows[0].n).toBe(0);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('idle pooled connections terminated by the server are replaced without a crash', async () => {
    await store.read(async (tx) => tx.agents.get('agt_none'));
    await admin.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const agentId = await store.write((tx) => insertAgent(tx, 'after-idle-loss', 'worker'));
    expect(agentId).toMatch(/^agt_/);
  });

  it('a refused connection is classified as the database being unreachable (BUSY), not an internal error', async () => {
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 500 });
    pool.on('error', () => {});
    // the same classification PgStore applies to a refused checkout
    const { isConnectionLost } = await import('../../../src/store/postgres/errors.js');
    const refused = await pool.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isConnectionLost(refused)).toBe(true);
    await pool.end();
  });
});
