import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { TokenVault } from './identity/tokens.js';
import { LIMITS } from './domain/limits.js';
import { createLogger, type Logger } from './logger.js';
import { ChangeFeed } from './services/change-feed.js';
import type { Deps } from './services/deps.js';
import { locationOf } from './services/workspace-identity.js';
import { startSweeper, type Sweeper } from './services/sweep.js';
import { isPostgresUrl, openStore } from './store/open-store.js';

export interface App {
  deps: Deps;
  feed: ChangeFeed;
  config: Config;
  /** Stops the sweep and the feed and closes the store (SQLite closes at once; callers may ignore the promise). */
  close(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** start the periodic sweep (servers do; one-shot CLI commands do not) */
  sweep?: boolean;
  /**
   * PostgreSQL: wake the change feed when another replica commits (LISTEN, one more connection).
   * Default true; a one-shot process that never waits on the feed (a hook) passes false.
   */
  listen?: boolean;
}

/** The composition root: config → logger → store → services → change feed → sweeper. */
export async function openApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const store = await openStore(config, () => clock.now(), logger);
  const feed = new ChangeFeed(store, config.pollMs, (error) => logger.warn({ err: error }, 'change feed poll failed'));
  const postgres = isPostgresUrl(config.db);
  // Other replicas' commits wake this process's feed at once (LISTEN/NOTIFY); the poll stays as the fallback.
  if (options.listen !== false) await store.listen?.(() => feed.poke());
  const deps: Deps = {
    store,
    clock,
    logger,
    tokens: new TokenVault(config.dataDir),
    settings: {
      agentLeaseSeconds: config.agentLeaseSeconds,
      dataDir: config.dataDir,
      get workspace() {
        return config.workspace; // resolved on first use (config.ts)
      },
      get worktree() {
        return config.worktree;
      },
      get location() {
        return locationOf(config.worktree); // read per claim: the branch checked out may change
      },
      policyFile: config.policy,
      ...(postgres ? { inlineBlobBytes: LIMITS.artifactBytes } : {}),
      retention: { runsDays: config.retainDays, eventsDays: config.retainEventsDays, signalsDays: config.retainSignalsDays },
    },
    onCommit: () => feed.poke(),
  };
  let sweeper: Sweeper | null = null;
  if (options.sweep) sweeper = startSweeper(deps, config.sweepSeconds);
  return {
    deps,
    feed,
    config,
    async close() {
      sweeper?.stop();
      feed.close();
      await store.close();
    },
  };
}
