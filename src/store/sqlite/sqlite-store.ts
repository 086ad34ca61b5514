import { setTimeout as sleep } from 'node:timers/promises';
import { FleetError } from '../../domain/errors.js';
import type { ArchiveStore } from '../port/archive.js';
import type { Store, Tx } from '../port/index.js';
import { fileArchive } from './archive-files.js';
import { currentVersion, migrate } from './migrate.js';
import { Mutex } from './mutex.js';
import { isBusyError, openDatabase, type Db } from './open.js';
import { sqliteAccessTokenRepo } from './repos/access-tokens.js';
import { sqliteAgentRepo } from './repos/agents.js';
import { sqliteBlockerRepo } from './repos/blockers.js';
import { sqliteHandoffRepo } from './repos/handoffs.js';
import { sqliteArtifactRepo } from './repos/artifacts.js';
import { sqliteClaimRepo } from './repos/claims.js';
import { sqliteConsoleSessionRepo } from './repos/console-sessions.js';
import { sqliteEventRepo } from './repos/events.js';
import { sqliteExternalTaskRepo } from './repos/external-tasks.js';
import { sqliteListingRepo } from './repos/listings.js';
import { sqliteMetricsRepo } from './repos/metrics.js';
import { sqliteSignalRepo } from './repos/signals.js';
import { sqliteRetentionRepo } from './repos/retention.js';
import { sqliteRunRepo } from './repos/runs.js';

export interface SqliteStoreOptions {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
  now: () => number;
  /** how long a caller may wait for the write lock before it gets BUSY (default 15 s) */
  busyDeadlineMs?: number;
}

/** Builds every repository once, with its prepared statements, over one connection. */
export function buildTx(db: Db): Tx {
  return {
    accessTokens: sqliteAccessTokenRepo(db),
    agents: sqliteAgentRepo(db),
    blockers: sqliteBlockerRepo(db),
    handoffs: sqliteHandoffRepo(db),
    artifacts: sqliteArtifactRepo(db),
    claims: sqliteClaimRepo(db),
    consoleSessions: sqliteConsoleSessionRepo(db),
    events: sqliteEventRepo(db),
    externalTasks: sqliteExternalTaskRepo(db),
    listings: sqliteListingRepo(db),
    metrics: sqliteMetricsRepo(db),
    signals: sqliteSignalRepo(db),
    runs: sqliteRunRepo(db),
    retention: sqliteRetentionRepo(db),
  };
}

/** One connection, its repositories and its transaction statements, used by one caller at a time. */
class Connection {
  readonly tx: Tx;
  readonly lock = new Mutex();
  private readonly beginImmediate;
  private readonly beginDeferred;
  private readonly commit;
  private readonly rollback;

  constructor(readonly db: Db) {
    this.tx = buildTx(db);
    this.beginImmediate = db.prepare('BEGIN IMMEDIATE');
    this.beginDeferred = db.prepare('BEGIN DEFERRED');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  /**
   * One transaction around `fn`. Repositories answer synchronously underneath, so `fn` settles
   * within the current turn of the event loop; if a macrotask ran first (`fn` awaited a timer, a
   * socket or a file), the transaction is rolled back: nothing but SQLite work may hold the lock.
   * Two sentinels, because which of the timers and check phases comes next depends on the phase
   * the transaction started in.
   */
  async transaction<T>(mode: 'immediate' | 'deferred', fn: (tx: Tx) => Promise<T>): Promise<T> {
    (mode === 'immediate' ? this.beginImmediate : this.beginDeferred).run();
    let leftTheTurn = false;
    const left = () => {
      leftTheTurn = true;
    };
    const guard = setImmediate(left);
    const timerGuard = setTimeout(left, 0);
    try {
      const result = await fn(this.tx);
      if (leftTheTurn) throw new Error('a store transaction awaited something other than its repositories');
      this.commit.run();
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      throw error;
    } finally {
      clearImmediate(guard);
      clearTimeout(timerGuard);
    }
  }
}

/**
 * SQLite behind the asynchronous port. Writes go through one connection, one transaction at a time
 * per process (a FIFO mutex), each `BEGIN IMMEDIATE` so the write lock is taken up front and a
 * transaction never fails half-way on a lock upgrade. Reads use a second connection: in WAL mode it
 * sees the last committed state and neither waits for the writer nor observes its open transaction.
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  private readonly writer: Connection;
  private readonly reader: Connection;
  private closed = false;

  private constructor(
    readonly db: Db,
    readDb: Db,
    private readonly busyDeadlineMs: number,
  ) {
    this.writer = new Connection(db);
    this.reader = new Connection(readDb);
  }

  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const db = openDatabase(options.file, { synchronous: options.synchronous });
    const deadline = options.busyDeadlineMs ?? 15_000;
    await retryBusy(async () => migrate(db, options.now()), Date.now() + deadline);
    const readDb = openDatabase(options.file, { synchronous: options.synchronous });
    return new SqliteStore(db, readDb, deadline);
  }

  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.reader.lock.run(() => retryBusy(() => this.reader.transaction('deferred', fn), Date.now() + this.busyDeadlineMs));
  }

  /**
   * SQLITE_BUSY (another process holds the write lock) is retried with jittered exponential delays
   * *between* attempts, outside any transaction, so the event loop keeps serving reads meanwhile;
   * past the deadline the caller gets BUSY.
   */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.writer.lock.run(() => retryBusy(() => this.writer.transaction('immediate', fn), Date.now() + this.busyDeadlineMs));
  }

  /** Segments as files beside the data: the database shrinks as history leaves it. */
  archive(dataDir: string): ArchiveStore {
    return fileArchive(dataDir);
  }

  async checkpoint(): Promise<void> {
    await this.writer.lock.run(async () => {
      try {
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (error) {
        if (!isBusyError(error)) throw error;
      }
    });
  }

  async integrityCheck(): Promise<string[]> {
    return this.reader.lock.run(async () => {
      const rows = this.reader.db.pragma('integrity_check') as { integrity_check: string }[];
      const fk = this.reader.db.pragma('foreign_key_check') as unknown[];
      const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
      return [...problems, ...fk.map((f) => `foreign key: ${JSON.stringify(f)}`)];
    });
  }

  async schemaVersion(): Promise<number> {
    return this.reader.lock.run(async () => currentVersion(this.reader.db));
  }

  async close(): Promise<void> {
    this.closeNow();
  }

  /** Closes both connections at once (safe to call twice); for exit paths that cannot wait. */
  closeNow(): void {
    if (this.closed) return;
    this.closed = true;
    this.reader.db.close();
    this.db.close();
  }
}

async function retryBusy<T>(attempt: () => Promise<T>, deadline: number): Promise<T> {
  let delay = 1;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isBusyError(error)) throw error;
      if (Date.now() >= deadline) {
        throw new FleetError('BUSY', 'the fleet database stayed locked by other processes', 'retry the call in a moment');
      }
      await sleep(delay / 2 + Math.random() * delay);
      delay = Math.min(delay * 2, 50);
    }
  }
}
