import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { FleetError } from '../../domain/errors.js';
import type { Logger } from '../../logger.js';
import type { Store, Tx, WriteOptions } from '../port/index.js';
import type { ArchiveStore } from '../port/archive.js';
import { tableArchive } from './archive-table.js';
import { buildPgTx } from './build-tx.js';
import { commitText, SEAL } from './commit-log.js';
import { databaseUnavailable, isConnectionLost, isRetryablePgError } from './errors.js';
import { CommitListener } from './listener.js';
import { loadPgMigrations, migratePg } from './migrate.js';
import { PgSession, type TxMode } from './session.js';

export interface PgStoreOptions {
  url: string;
  now: () => number;
  logger: Logger;
  /** connections in this process's pool (default 10) */
  poolMax?: number;
  /** how long a write may keep retrying deadlocks and races before the caller gets BUSY (default 15 s) */
  busyDeadlineMs?: number;
}

// BIGINT (epoch milliseconds, counts) and NUMERIC (sums) arrive as strings by default; every value
// fleetdeck stores fits a double exactly (< 2^53), so they become numbers at the driver.
const toNumber = (value: string) => Number(value);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 || oid === 1700 ? toNumber : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const SEAL_EVERY_MS = 1_000;

const BEGIN: Record<TxMode, string> = {
  // READ COMMITTED with explicit row locks, advisory locks and conditional UPDATEs (each
  // repository says which): SERIALIZABLE would abort concurrent writers on the hot rows they
  // share (a run, an agent), and SKIP LOCKED queue takes do not combine well with it.
  write: 'BEGIN',
  // one snapshot for everything the callback reads, like SQLite's deferred read transaction
  read: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
};

/**
 * The PostgreSQL Store. Any number of processes, on any hosts, may open one database: every rule
 * that SQLite gets from its single writer is held here by a lock named in the repository that
 * needs it (run rows, the per-workspace claims lock, SKIP LOCKED takes); the audit chain is sealed
 * after commit by one sealer at a time (commit-log.ts).
 */
export class PgStore implements Store {
  readonly engine = 'postgres' as const;
  /** round trips and transactions since open (benchmarks report round trips per tool) */
  readonly stats = { transactions: 0, roundTrips: 0, retries: 0 };
  private listener: CommitListener | null = null;
  private sealTimer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(
    readonly pool: pg.Pool,
    private readonly clientConfig: pg.ClientConfig,
    private readonly logger: Logger,
    private readonly busyDeadlineMs: number,
  ) {}

  static async open(options: PgStoreOptions): Promise<PgStore> {
    const clientConfig: pg.ClientConfig = { connectionString: options.url, types, application_name: 'fleetdeck' };
    // A database that stops answering (a failover, a partition) fails a connect after 5 s instead of
    // queueing every call forever; TCP keepalive notices a dead peer under an idle connection.
    // Pipeline mode: a transaction's BEGIN and its writes whose results nobody waits for share the
    // round trip of the next statement (session.ts).
    const pool = new pg.Pool({
      ...clientConfig, pipeline: true, max: options.poolMax ?? 10, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, keepAlive: true,
    } as pg.PoolConfig);
    // An idle pooled connection that the server drops must not crash the process.
    pool.on('error', (error) => options.logger.warn({ err: error }, 'idle PostgreSQL connection lost'));
    try {
      const client = await pool.connect();
      // the server dropping this connection mid-migration fails the open, not the process
      const onError = (error: Error) => options.logger.warn({ err: error }, 'PostgreSQL connection lost while migrating');
      client.on('error', onError);
      try {
        await migratePg(client, options.now());
        return new PgStore(pool, clientConfig, options.logger, options.busyDeadlineMs ?? 15_000);
      } finally {
        client.off('error', onError);
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
  }

  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.run('read', fn);
  }

  write<T>(fn: (tx: Tx) => Promise<T>, options?: WriteOptions): Promise<T> {
    return this.run('write', fn, options?.soft);
  }

  /**
   * Wakes `onCommit` whenever any process commits events to this database (LISTEN/NOTIFY on one
   * dedicated connection). Resolves once listening (or once the first attempt failed: it retries).
   */
  async listen(onCommit: (seq: number) => void): Promise<void> {
    if (this.listener) return;
    this.listener = new CommitListener(this.clientConfig, onCommit, this.logger);
    // A writer whose connection dropped between its COMMIT and its seal leaves events in the inbox:
    // every serving process seals now and then, so they reach the log within a second regardless.
    this.sealTimer = setInterval(() => void this.seal().catch(() => {}), SEAL_EVERY_MS);
    this.sealTimer.unref();
    await this.listener.start();
  }

  /** Moves committed events from the inbox into the chained log; the newest sealed seq (null: nothing to seal). */
  async seal(): Promise<number | null> {
    const r = await this.pool.query<{ seq: number | null }>(SEAL);
    return r.rows[0]?.seq ?? null;
  }

  /** One archive in the database for every replica (the data directory is per host). */
  archive(): ArchiveStore {
    return tableArchive(this.pool);
  }

  /** PostgreSQL checkpoints on its own; nothing for a replica to do. */
  async checkpoint(): Promise<void> {}

  /**
   * What `doctor` can check from a client: the connection answers, the audit chain head matches
   * the log, and no index or constraint of ours is left invalid. (Page-level corruption is the
   * server's to find: amcheck and checksums belong to the DBA.)
   */
  async integrityCheck(): Promise<string[]> {
    const problems: string[] = [];
    await this.seal();
    const { client, release } = await this.checkout();
    try {
      const invalidIndexes = await client.query<{ name: string }>(`SELECT c.relname AS name FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND NOT i.indisvalid`);
      problems.push(...invalidIndexes.rows.map((r) => `index ${r.name} is invalid`));
      const unvalidated = await client.query<{ name: string }>(`SELECT conname AS name FROM pg_constraint c
        JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema() AND NOT c.convalidated`);
      problems.push(...unvalidated.rows.map((r) => `constraint ${r.name} is not validated`));
      const head = await client.query<{ ok: boolean }>(`SELECT h.seq = coalesce((SELECT max(seq) FROM events), 0) AS ok FROM event_chain_head h`);
      if (head.rows[0]?.ok !== true) problems.push('event_chain_head does not match the newest event');
    } finally {
      release();
    }
    return problems;
  }

  async schemaVersion(): Promise<number> {
    const row = await this.pool.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    return Number(row.rows[0]?.v ?? 0);
  }

  /** The newest migration this code knows (doctor compares it with the database's version). */
  static knownVersion(): number {
    return Math.max(0, ...loadPgMigrations().map((m) => m.version));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sealTimer) clearInterval(this.sealTimer);
    await this.listener?.close();
    await this.pool.end();
  }

  private async run<T>(mode: TxMode, fn: (tx: Tx) => Promise<T>, soft?: () => boolean): Promise<T> {
    const deadline = Date.now() + this.busyDeadlineMs;
    let delay = 2;
    for (;;) {
      try {
        return await this.attempt(mode, fn, soft);
      } catch (error) {
        if (!isRetryablePgError(error)) throw error;
        this.stats.retries++;
        if (Date.now() >= deadline) {
          throw new FleetError('BUSY', 'the fleet database kept aborting this write (deadlocks or races)', 'retry the call in a moment');
        }
        await sleep(delay / 2 + Math.random() * delay);
        delay = Math.min(delay * 2, 100);
      }
    }
  }

  /**
   * A pooled connection with an 'error' listener for as long as it is checked out. The pool
   * listens only to idle connections: without this, PostgreSQL terminating the backend of a
   * checked-out connection (pg_terminate_backend, a restart, a failover, an idle-in-transaction
   * timeout) is an unhandled 'error' event, which ends the process. The query in flight still
   * rejects; `release` hands the connection back marked broken so the pool discards it.
   */
  private async checkout(): Promise<{ client: pg.PoolClient; release: (error?: Error) => void }> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw isConnectionLost(error) ? databaseUnavailable(error) : error;
    }
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost = error;
      this.logger.warn({ err: error }, 'PostgreSQL connection lost during a transaction');
    };
    client.on('error', onError);
    return {
      client,
      release: (error?: Error) => {
        client.off('error', onError);
        client.release(error ?? lost);
      },
    };
  }

  private async attempt<T>(mode: TxMode, fn: (tx: Tx) => Promise<T>, soft?: () => boolean): Promise<T> {
    const { client, release: giveBack } = await this.checkout();
    const session = new PgSession(client, mode);
    let broken: Error | undefined;
    let releaseLater = false;
    const release = () => {
      this.stats.transactions++;
      this.stats.roundTrips += session.roundTrips;
      giveBack(broken);
    };
    try {
      session.defer(BEGIN[mode]);
      try {
        const result = await fn(buildPgTx(session));
        if (mode === 'write') {
          // COMMIT, with the events and their sealing in the same round trip (commit-log.ts).
          // Signs of life only (WriteOptions.soft): commit without waiting for the WAL flush, in the
          // same round trip. The next synchronous commit flushes the WAL up to itself, this one
          // included, and the WAL writer within a few hundred ms (docs/identity-and-liveness.md).
          await session.simple(commitText(session, soft?.() ?? false));
        } else {
          // A read-only snapshot has nothing to make durable: the caller has its answer now, and the
          // connection returns to the pool once the COMMIT is through (one round trip saved per read).
          releaseLater = true;
          void session
            .simple('COMMIT')
            .catch((e: Error) => (broken = e))
            .finally(release);
        }
        return result;
      } catch (error) {
        if (isConnectionLost(error)) {
          broken = error as Error;
          throw databaseUnavailable(error);
        }
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw error;
      }
    } catch (error) {
      // BEGIN itself failed on a connection the server had already dropped
      if (!(error instanceof FleetError) && isConnectionLost(error)) {
        broken = error as Error;
        throw databaseUnavailable(error);
      }
      throw error;
    } finally {
      if (!releaseLater) release();
    }
  }
}
