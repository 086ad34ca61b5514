import { closeSync, fsync, fsyncSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FleetError } from '../../domain/errors.js';
import type { ArchiveStore } from '../port/archive.js';
import type { Store, Tx, WriteOptions } from '../port/index.js';
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
import { sqliteMcpSessionRepo } from './repos/mcp-sessions.js';
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
    mcpSessions: sqliteMcpSessionRepo(db),
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
  readonly beginImmediate;
  readonly beginDeferred;
  readonly commit;
  readonly rollback;

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
   */
  async transaction<T>(mode: 'immediate' | 'deferred', fn: (tx: Tx) => Promise<T>): Promise<T> {
    (mode === 'immediate' ? this.beginImmediate : this.beginDeferred).run();
    const turn = new TurnGuard();
    try {
      const result = await fn(this.tx);
      if (turn.left) throw leftTheTurnError();
      this.commit.run();
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      throw error;
    } finally {
      turn.clear();
    }
  }
}

/**
 * Notices when a macrotask ran since it was armed: a transaction's callback awaited something
 * other than its repositories. Two sentinels, because which of the timers and check phases comes
 * next depends on the phase the transaction started in.
 */
class TurnGuard {
  left = false;
  private readonly immediate = setImmediate(() => (this.left = true));
  private readonly timer = setTimeout(() => (this.left = true), 0);

  clear(): void {
    clearImmediate(this.immediate);
    clearTimeout(this.timer);
  }
}

const leftTheTurnError = () => new Error('a store transaction awaited something other than its repositories');

/** What the writer has done since the store opened (for tests and benches). */
export interface WriteStats {
  /** write calls committed (each kept its all-or-nothing meaning inside its batch) */
  calls: number;
  /** write calls that failed and were rolled back to their savepoint (or alone) */
  failed: number;
  /** commits: one per batch */
  commits: number;
  /** commits without a disk flush: every call in them recorded only signs of life */
  softCommits: number;
  /** the most calls one commit carried */
  largestBatch: number;
  /** batches begun without a flush, rolled back and run again durably because a call changed state */
  hardened: number;
  /** attempts to take the write lock that found another process holding it */
  busyRetries: number;
  /** the longest time a call waited for the write lock held by other processes, ms */
  longestLockWaitMs: number;
  /** fsyncs of the log the store made itself: one SOFT_FLUSH_MS after the first unflushed soft commit */
  softFlushes: number;
}

interface WriteJob {
  fn: (tx: Tx) => Promise<unknown>;
  soft: (() => boolean) | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** At most this many calls share one commit, so one batch holds the lock for a bounded time. */
const MAX_BATCH = 64;

/**
 * The process's one writer connection with group commit. Calls that arrive while a batch holds the
 * write lock wait in a FIFO and form the next batch: one `BEGIN IMMEDIATE`, a `SAVEPOINT` per call
 * (a failing call rolls back to its own savepoint and leaves its batchmates' work alone), one
 * `COMMIT` and its one flush for all of them. No call is answered before that commit.
 *
 * Durability per batch: a batch whose calls all declared themselves soft (signs of life only,
 * `WriteOptions.soft`) commits at `synchronous=NORMAL`: in WAL mode the commit is written to the
 * log without an fsync, and the next durable commit's fsync of the same log makes it durable too
 * (the log is one file, synced as a whole, in order). Every other batch commits at the configured
 * level (FULL by default). SQLite fixes the level when a transaction begins, so a soft batch in
 * which a call turns out to change state (an expiry pass, a revival, a delivered signal) is rolled
 * back and run again durably before anyone is answered.
 */
class Writer {
  readonly stats: WriteStats = { calls: 0, failed: 0, commits: 0, softCommits: 0, largestBatch: 0, hardened: 0, busyRetries: 0, longestLockWaitMs: 0, softFlushes: 0 };
  readonly conn: Connection;
  private readonly queue: WriteJob[] = [];
  private draining = false;
  private level: 'FULL' | 'NORMAL';
  private readonly savepoint;
  private readonly release;
  private readonly rollbackTo;
  /** a soft commit is in the log that no fsync has covered yet */
  private softPending = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private walFd: number | null = null;

  constructor(
    db: Db,
    private readonly file: string,
    private readonly durable: 'FULL' | 'NORMAL',
    private readonly busyDeadlineMs: number,
  ) {
    this.conn = new Connection(db);
    this.level = durable;
    this.savepoint = db.prepare('SAVEPOINT call');
    this.release = db.prepare('RELEASE call');
    this.rollbackTo = db.prepare('ROLLBACK TO call');
  }

  write<T>(fn: (tx: Tx) => Promise<T>, soft: (() => boolean) | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, soft, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        await this.conn.lock.run(() => this.runBatch(batch));
      }
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(jobs: WriteJob[]): Promise<void> {
    let soft = this.durable === 'FULL' && jobs.every((j) => j.soft !== undefined);
    const deadline = Date.now() + this.busyDeadlineMs;
    let todo = jobs;
    while (todo.length > 0) {
      try {
        this.setLevel(soft ? 'NORMAL' : 'FULL');
        await this.begin(deadline);
      } catch (error) {
        for (const job of todo) job.reject(error);
        return;
      }
      const attempt = await this.attempt(todo, soft);
      if (attempt.kind === 'harden') {
        this.stats.hardened++;
        soft = false;
        continue;
      }
      if (attempt.kind === 'committed') {
        this.settle(todo, attempt.outcomes);
        return;
      }
      if (attempt.kind === 'failed') {
        this.stats.failed += todo.length;
        for (const job of todo) job.reject(attempt.error);
        return;
      }
      // the transaction was lost under a call (SQLite aborted it): that call fails, the others run again
      todo[attempt.index]!.reject(attempt.error);
      this.stats.failed++;
      todo = todo.filter((_, i) => i !== attempt.index);
    }
  }

  /**
   * Runs every call of the batch in the open transaction and commits. Calls run one after another:
   * each sees its predecessors' writes, as if it had committed after them.
   */
  private async attempt(
    jobs: WriteJob[],
    soft: boolean,
  ): Promise<
    { kind: 'committed'; outcomes: Outcome[] } | { kind: 'harden' } | { kind: 'lost'; index: number; error: unknown } | { kind: 'failed'; error: unknown }
  > {
    const alone = jobs.length === 1;
    const outcomes: Outcome[] = [];
    let turn = new TurnGuard();
    try {
      for (let i = 0; i < jobs.length; i++) {
        const job = jobs[i]!;
        if (!alone) this.savepoint.run();
        try {
          const value = await job.fn(this.conn.tx);
          if (turn.left) throw leftTheTurnError();
          if (soft && !job.soft!()) {
            this.conn.rollback.run();
            return { kind: 'harden' };
          }
          if (!alone) this.release.run();
          outcomes.push({ ok: true, value });
        } catch (error) {
          if (!this.conn.db.inTransaction) return { kind: 'lost', index: i, error };
          if (alone) this.conn.rollback.run();
          else {
            this.rollbackTo.run();
            this.release.run();
          }
          outcomes.push({ ok: false, error });
          if (turn.left) {
            // the lock was held across a macrotask once; the calls after it get a turn of their own
            turn.clear();
            turn = new TurnGuard();
          }
        }
      }
      if (this.conn.db.inTransaction) this.conn.commit.run();
    } catch (error) {
      // COMMIT itself failed (disk full, I/O): nothing of the batch is committed
      if (this.conn.db.inTransaction) this.conn.rollback.run();
      return { kind: 'failed', error };
    } finally {
      turn.clear();
    }
    return { kind: 'committed', outcomes };
  }

  private settle(jobs: WriteJob[], outcomes: Outcome[]): void {
    const committed = outcomes.filter((o) => o.ok).length;
    this.stats.calls += committed;
    this.stats.failed += outcomes.length - committed;
    if (committed > 0) this.recordCommit();
    this.stats.largestBatch = Math.max(this.stats.largestBatch, jobs.length);
    jobs.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }

  private recordCommit(): void {
    this.stats.commits++;
    if (this.level === 'NORMAL' && this.durable === 'FULL') {
      this.stats.softCommits++;
      this.softPending = true;
      // A FULL commit that wrote pages would have flushed the log too, but one that changed nothing
      // writes no frame and syncs nothing: the timer does not try to tell them apart.
      this.flushTimer ??= setTimeout(() => this.flushSoft(), SOFT_FLUSH_MS).unref();
    }
  }

  /**
   * Bounds what a power loss can take to SOFT_FLUSH_MS of signs of life, whether or not a state
   * change came along to flush them: an fsync of the log file (what a FULL commit does), off the
   * event loop and outside the write lock.
   */
  private flushSoft(): void {
    this.flushTimer = null;
    if (!this.softPending) return;
    const fd = this.wal();
    if (fd === null) return;
    this.softPending = false;
    this.stats.softFlushes++;
    fsync(fd, () => {
      // an error here (the file went away with the store) leaves nothing to do: the next commit decides
    });
  }

  /** Before the connection closes: whatever soft commit is still unflushed. */
  flushNow(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const fd = this.softPending ? this.wal() : this.walFd;
    if (fd !== null && this.softPending) fsyncSync(fd);
    this.softPending = false;
    if (fd !== null) closeSync(fd);
    this.walFd = null;
  }

  /** The log file, opened read-only once (never created: it exists while a connection is open). */
  private wal(): number | null {
    if (this.walFd !== null) return this.walFd;
    if (this.file === ':memory:' || this.file === '') return null;
    try {
      this.walFd = openSync(`${this.file}-wal`, 'r');
    } catch {
      return null;
    }
    return this.walFd;
  }

  private setLevel(level: 'FULL' | 'NORMAL'): void {
    if (level === this.level) return;
    // not a prepared statement: SQLite applies this pragma when it compiles it, not when it runs
    this.conn.db.pragma(`synchronous = ${level === 'NORMAL' ? 'NORMAL' : this.durable}`);
    this.level = level;
  }

  /**
   * BEGIN IMMEDIATE, retried while another process holds the write lock. The connection's own busy
   * timeout is zero: SQLite's busy handler sleeps inside the call and would stall the event loop.
   * Waits between attempts are short and capped (a few ms), so a process that has already waited
   * keeps asking as often as a newcomer and is not starved by exponential back-off; lock holders
   * keep the lock for well under a millisecond of SQLite work (no fsync for signs of life).
   */
  private async begin(deadline: number): Promise<void> {
    const started = performance.now();
    let delay = 0.5;
    for (;;) {
      try {
        this.conn.beginImmediate.run();
        break;
      } catch (error) {
        if (!isBusyError(error)) throw error;
        this.stats.busyRetries++;
        if (Date.now() >= deadline) throw busyError();
        await sleep(delay / 2 + Math.random() * delay);
        delay = Math.min(delay * 2, MAX_BUSY_DELAY_MS);
      }
    }
    const waited = performance.now() - started;
    if (waited > this.stats.longestLockWaitMs) this.stats.longestLockWaitMs = waited;
  }
}

/** Signs of life committed without a flush are flushed at most this long after (docs/identity-and-liveness.md). */
export const SOFT_FLUSH_MS = 1_000;

/** The longest pause between two attempts at the write lock. */
const MAX_BUSY_DELAY_MS = 4;

const busyError = () => new FleetError('BUSY', 'the fleet database stayed locked by other processes', 'retry the call in a moment');

/**
 * SQLite behind the asynchronous port. Writes go through one connection with group commit (see
 * Writer); each batch is a `BEGIN IMMEDIATE` transaction, so the write lock is taken up front and a
 * transaction never fails half-way on a lock upgrade. Reads use a second connection: in WAL mode it
 * sees the last committed state and neither waits for the writer nor observes its open transaction.
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  private readonly writer: Writer;
  private readonly reader: Connection;
  private closed = false;

  private constructor(
    readonly db: Db,
    readDb: Db,
    file: string,
    synchronous: 'FULL' | 'NORMAL',
    private readonly busyDeadlineMs: number,
  ) {
    this.writer = new Writer(db, file, synchronous, busyDeadlineMs);
    this.reader = new Connection(readDb);
  }

  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const db = openDatabase(options.file, { synchronous: options.synchronous });
    const deadline = options.busyDeadlineMs ?? 15_000;
    await retryBusy(async () => migrate(db, options.now()), Date.now() + deadline);
    // after migrating (which may wait for other processes' start-up): writes wait in Writer.begin
    db.pragma('busy_timeout = 0');
    const readDb = openDatabase(options.file, { synchronous: options.synchronous });
    return new SqliteStore(db, readDb, options.file, options.synchronous, deadline);
  }

  /** Counters of the write path since the store opened. */
  get writeStats(): Readonly<WriteStats> {
    return this.writer.stats;
  }

  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.reader.lock.run(() => retryBusy(() => this.reader.transaction('deferred', fn), Date.now() + this.busyDeadlineMs));
  }

  /**
   * Joins the next batch of the group commit (Writer). SQLITE_BUSY (another process holds the write
   * lock) is retried between attempts, outside any transaction, so the event loop keeps serving
   * reads meanwhile; past the deadline the caller gets BUSY.
   */
  write<T>(fn: (tx: Tx) => Promise<T>, options?: WriteOptions): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    return this.writer.write(fn, options?.soft);
  }

  /** Segments as files beside the data: the database shrinks as history leaves it. */
  archive(dataDir: string): ArchiveStore {
    return fileArchive(dataDir);
  }

  async checkpoint(): Promise<void> {
    await this.writer.conn.lock.run(async () => {
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
    try {
      this.writer.flushNow();
    } catch {
      // closing goes on: what the flush could not cover is no more than a second of signs of life
    }
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
