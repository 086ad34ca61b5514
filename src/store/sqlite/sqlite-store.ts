import { setTimeout as sleep } from 'node:timers/promises';
import { FleetError } from '../../domain/errors.js';
import type { Store, Tx } from '../port/index.js';
import { currentVersion, migrate } from './migrate.js';
import { isBusyError, openDatabase, type Db } from './open.js';
import { sqliteAccessTokenRepo } from './repos/access-tokens.js';
import { sqliteAgentRepo } from './repos/agents.js';
import { sqliteBlockerRepo } from './repos/blockers.js';
import { sqliteHandoffRepo } from './repos/handoffs.js';
import { sqliteArtifactRepo } from './repos/artifacts.js';
import { sqliteClaimRepo } from './repos/claims.js';
import { sqliteEventRepo } from './repos/events.js';
import { sqliteExternalTaskRepo } from './repos/external-tasks.js';
import { sqliteMetricsRepo } from './repos/metrics.js';
import { sqliteSignalRepo } from './repos/signals.js';
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
    events: sqliteEventRepo(db),
    externalTasks: sqliteExternalTaskRepo(db),
    metrics: sqliteMetricsRepo(db),
    signals: sqliteSignalRepo(db),
    runs: sqliteRunRepo(db),
  };
}

export class SqliteStore implements Store {
  private readonly tx: Tx;
  /** better-sqlite3 transaction wrappers, built once: they run a callback with this.tx */
  private readonly inTransaction: ReturnType<Db['transaction']>;
  private closed = false;

  private constructor(
    readonly db: Db,
    private readonly busyDeadlineMs: number,
  ) {
    this.tx = buildTx(db);
    this.inTransaction = db.transaction((fn: (tx: Tx) => unknown) => mustBeSync(fn(this.tx)));
  }

  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const db = openDatabase(options.file, { synchronous: options.synchronous });
    const deadline = options.busyDeadlineMs ?? 15_000;
    await retryBusy(() => migrate(db, options.now()), Date.now() + deadline);
    return new SqliteStore(db, deadline);
  }

  read<T>(fn: (tx: Tx) => T): Promise<T> {
    return retryBusy(() => this.inTransaction.deferred(fn) as T, Date.now() + this.busyDeadlineMs);
  }

  /**
   * One BEGIN IMMEDIATE transaction around a synchronous callback. SQLITE_BUSY is retried with
   * jittered exponential delays *between* attempts, so the event loop keeps serving other calls
   * while another process holds the lock; past the deadline the caller gets BUSY.
   */
  write<T>(fn: (tx: Tx) => T): Promise<T> {
    return retryBusy(() => this.inTransaction.immediate(fn) as T, Date.now() + this.busyDeadlineMs);
  }

  checkpoint(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      if (!isBusyError(error)) throw error;
    }
  }

  integrityCheck(): string[] {
    const rows = this.db.pragma('integrity_check') as { integrity_check: string }[];
    const fk = this.db.pragma('foreign_key_check') as unknown[];
    const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    return [...problems, ...fk.map((f) => `foreign key: ${JSON.stringify(f)}`)];
  }

  schemaVersion(): number {
    return currentVersion(this.db);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function mustBeSync<T>(value: T): T {
  if (value && typeof (value as { then?: unknown }).then === 'function') {
    throw new Error('store callbacks must be synchronous: never await inside a transaction');
  }
  return value;
}

async function retryBusy<T>(attempt: () => T, deadline: number): Promise<T> {
  let delay = 1;
  for (;;) {
    try {
      return attempt();
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
