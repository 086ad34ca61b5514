import type { AccessTokenRepo } from './access-tokens.js';
import type { ArchiveStore } from './archive.js';
import type { AgentRepo } from './agents.js';
import type { BlockerRepo } from './blockers.js';
import type { HandoffRepo } from './handoffs.js';
import type { ArtifactRepo } from './artifacts.js';
import type { ClaimRepo } from './claims.js';
import type { ConsoleSessionRepo } from './console-sessions.js';
import type { EventRepo } from './events.js';
import type { ListingRepo } from './listings.js';
import type { ExternalTaskRepo } from './external-tasks.js';
import type { McpSessionRepo } from './mcp-sessions.js';
import type { MetricsRepo } from './metrics.js';
import type { SignalRepo } from './signals.js';
import type { RunRepo } from './runs.js';
import type { RetentionRepo } from './retention.js';

export type { AgentRepo, EventRepo, SignalRepo };

/**
 * The repositories one transaction can use. Every method returns a promise so that one service
 * layer serves both engines (SQLite answers at once, PostgreSQL after a round trip). Inside a
 * transaction, await only these repositories: no network, no file I/O, no timers — a SQLite write
 * transaction holds the file's write lock for every process while it is open.
 */
export interface Tx {
  accessTokens: AccessTokenRepo;
  agents: AgentRepo;
  blockers: BlockerRepo;
  handoffs: HandoffRepo;
  artifacts: ArtifactRepo;
  claims: ClaimRepo;
  consoleSessions: ConsoleSessionRepo;
  events: EventRepo;
  externalTasks: ExternalTaskRepo;
  listings: ListingRepo;
  mcpSessions: McpSessionRepo;
  metrics: MetricsRepo;
  signals: SignalRepo;
  runs: RunRepo;
  /** retention's bounded deletions (services/retention) */
  retention: RetentionRepo;
}

/** How a write may be committed. */
export interface WriteOptions {
  /**
   * Asked after `fn` succeeded, before the commit: true when the transaction recorded nothing but
   * signs of life (soft state, SPEC §3 "Sessions"), so the engine may commit it without waiting
   * for the disk; a crash may then lose it (docs/identity-and-liveness.md says how much). Without
   * it, or when it answers false, the commit is as durable as the store is configured.
   */
  soft?: () => boolean;
}

/**
 * The Store port. `write` runs `fn` in one serializable write transaction (SQLite: BEGIN IMMEDIATE,
 * one writer per process at a time, SQLITE_BUSY retried with jitter outside the transaction) and
 * commits when the promise resolves, rolls back when it rejects. `read` runs `fn` in one consistent
 * snapshot that never sees another caller's uncommitted writes. `fn` may be retried from the start
 * (busy, serialization failure), so it must have no effect outside `tx`.
 */
export interface Store {
  /** 'sqlite' or 'postgres': for doctor/stats output only, never for rules */
  readonly engine: 'sqlite' | 'postgres';
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  write<T>(fn: (tx: Tx) => Promise<T>, options?: WriteOptions): Promise<T>;
  /** SQLite: truncates the WAL when no reader holds it (harmless from many processes). PostgreSQL: no-op. */
  checkpoint(): Promise<void>;
  /** Problems found by the engine's own consistency check; empty when healthy. */
  integrityCheck(): Promise<string[]>;
  schemaVersion(): Promise<number>;
  /**
   * Calls `onCommit` as soon as another process commits (PostgreSQL: LISTEN/NOTIFY on a dedicated
   * connection; resolves once listening). Absent where polling the audit log is all there is (SQLite).
   */
  listen?(onCommit: (seq: number) => void): Promise<void>;
  /** Where archived audit events are kept (SQLite: files in `<dataDir>/archive/`; PostgreSQL: a table). */
  archive(dataDir: string): ArchiveStore;
  close(): Promise<void>;
}
