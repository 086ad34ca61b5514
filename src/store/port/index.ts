import type { AccessTokenRepo } from './access-tokens.js';
import type { AgentRepo } from './agents.js';
import type { BlockerRepo } from './blockers.js';
import type { HandoffRepo } from './handoffs.js';
import type { ArtifactRepo } from './artifacts.js';
import type { ClaimRepo } from './claims.js';
import type { EventRepo } from './events.js';
import type { ExternalTaskRepo } from './external-tasks.js';
import type { MetricsRepo } from './metrics.js';
import type { SignalRepo } from './signals.js';
import type { RunRepo } from './runs.js';

export type { AgentRepo, EventRepo, SignalRepo };

/**
 * The repositories one transaction can use. Their methods are synchronous on purpose: a write
 * transaction holds SQLite's write lock, and nothing may `await` while it is held.
 */
export interface Tx {
  accessTokens: AccessTokenRepo;
  agents: AgentRepo;
  blockers: BlockerRepo;
  handoffs: HandoffRepo;
  artifacts: ArtifactRepo;
  claims: ClaimRepo;
  events: EventRepo;
  externalTasks: ExternalTaskRepo;
  metrics: MetricsRepo;
  signals: SignalRepo;
  runs: RunRepo;
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
