import type { CallContext } from './call-context.js';
import type { Clock } from '../clock.js';
import type { WorkLocation } from '../domain/workspace.js';
import type { TokenVault } from '../identity/tokens.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/port/index.js';
import type { RetentionSettings } from './retention/settings.js';

export interface ServiceSettings {
  agentLeaseSeconds: number;
  dataDir: string;
  /** default workspace for claims: the repository's identity (services/workspace-identity.ts) */
  workspace: string;
  /** the worktree this process works in: the root for evidence paths of agents registered without one */
  worktree?: string;
  /** where claims made through this process are recorded as made, when the agent registered no worktree */
  location?: WorkLocation;
  /** the operator's policy file (absent file: no rules); see services/policy */
  policyFile?: string;
  /**
   * evidence up to this size is stored in the database, larger blobs in the data directory
   * (default LIMITS.inlineBlobBytes). PostgreSQL replicas share no directory, so there every blob
   * is stored in the database.
   */
  inlineBlobBytes?: number;
  /** how long finished work, events and signals stay in the live database (default DEFAULT_RETENTION) */
  retention?: RetentionSettings;
}

/** Everything a service needs, injected by the composition root (src/main.ts). */
export interface Deps {
  store: Store;
  clock: Clock;
  settings: ServiceSettings;
  logger: Logger;
  tokens: TokenVault;
  /** called after each committed write so this process's change feed looks at once */
  onCommit?: () => void;
  /**
   * Set by the tool-call adapter for the duration of one call of a bound agent: the call's first
   * write transaction also records its sign of life and takes its signals (services/call-context.ts).
   */
  call?: CallContext;
}
