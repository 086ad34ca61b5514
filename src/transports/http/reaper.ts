import type { App } from '../../main.js';
import type { Logger } from '../../logger.js';
import { reapMcpSessions, touchMcpSession } from '../../services/mcp-sessions.js';
import type { RateLimiter } from './rate-limit.js';
import type { SessionRegistry } from './sessions.js';

/** stream events are kept this long for clients that resume */
const EVENT_RETENTION_MS = 10 * 60_000;
/** a replica drops its copy of a session unused here this long (the session lives on in the database) */
const LOCAL_COPY_IDLE_MS = 5 * 60_000;

/**
 * Every replica reaps: sessions idle for `sessionIdleSeconds` end in the database (their signals
 * released), stream events age out, this replica's idle copies go, and a session with a stream
 * open here stays alive. A failure (the database unreachable) waits for the next round.
 */
export function startReaper(app: App, log: Logger, sessions: SessionRegistry, limiter: RateLimiter, sessionIdleSeconds: number): () => void {
  const idleMs = sessionIdleSeconds * 1000;
  let running = false;
  const round = async () => {
    // this replica's own bookkeeping runs on its monotonic-enough wall clock; what is compared with
    // the database's times uses the injected clock that wrote them
    const local = Date.now();
    limiter.prune();
    for (const entry of sessions.entries()) {
      if (entry.open <= 0 && entry.lastActive < local - Math.min(idleMs, LOCAL_COPY_IDLE_MS)) sessions.drop(entry.id, 'idle here');
    }
    try {
      for (const entry of sessions.entries()) {
        if (entry.open > 0 && local - entry.touchedAt >= idleMs / 4) {
          entry.touchedAt = local;
          if (!(await touchMcpSession(app.deps, entry.id))) sessions.drop(entry.id, 'ended elsewhere');
        }
      }
      const now = app.deps.clock.now();
      for (const id of await reapMcpSessions(app.deps, now - idleMs, now - EVENT_RETENTION_MS)) {
        sessions.drop(id, 'idle');
        log.debug({ session: id }, 'MCP session reaped');
      }
    } catch (error) {
      log.warn({ err: error }, 'could not reap MCP sessions (will retry)');
    }
  };
  const timer = setInterval(
    () => {
      if (running) return;
      running = true;
      void round().finally(() => (running = false));
    },
    Math.min(60_000, sessionIdleSeconds * 500),
  );
  timer.unref();
  return () => clearInterval(timer);
}
