import type { AgentRepo } from './agents.js';
import type { EventRepo } from './events.js';
import type { SignalRepo } from './signals.js';

export type { AgentRepo, EventRepo, SignalRepo };

/**
 * The repositories one transaction can use. Their methods are synchronous on purpose: a write
 * transaction holds SQLite's write lock, and nothing may `await` while it is held.
 */
export interface Tx {
  agents: AgentRepo;
  events: EventRepo;
  signals: SignalRepo;
}

/**
 * The Store port. `write` runs `fn` in one BEGIN IMMEDIATE transaction (retrying SQLITE_BUSY with
 * jitter, outside the transaction); `read` runs it in one snapshot. Callbacks must not be async.
 */
export interface Store {
  read<T>(fn: (tx: Tx) => T): Promise<T>;
  write<T>(fn: (tx: Tx) => T): Promise<T>;
  /** Truncates the WAL when no reader holds it; harmless to call from many processes. */
  checkpoint(): void;
  integrityCheck(): string[];
  schemaVersion(): number;
  close(): void;
}
