import type { ServerResponse } from 'node:http';
import type { App } from '../../main.js';
import type { Logger } from '../../logger.js';
import { lastEventSeq } from '../../services/audit.js';
import { VERSION } from '../../version.js';
import { json, RETRY_AFTER_SECONDS } from './responses.js';

/** how long /readyz waits for the database before calling the replica not ready */
const READY_TIMEOUT_MS = 2_000;

/**
 * /healthz is liveness only: the process answers (a supervisor restarts it when it does not). It
 * never touches the database, so an unreachable database never gets a healthy replica restarted.
 * /readyz is readiness: the database answers within READY_TIMEOUT_MS; a load balancer takes the
 * replica out of rotation while it answers 503, and puts it back when the database is back.
 */
export function createHealth(app: App, log: Logger, localSessions: () => number) {
  return {
    live(res: ServerResponse): void {
      json(res, 200, { status: 'ok', version: VERSION, uptime_seconds: Math.round(process.uptime()), sessions: localSessions() });
    },
    async ready(res: ServerResponse): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer from the database within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
        });
        const [schemaVersion, lastSeq] = await Promise.race([Promise.all([app.deps.store.schemaVersion(), lastEventSeq(app.deps)]), timeout]);
        json(res, 200, { status: 'ready', version: VERSION, schema_version: schemaVersion, last_event_seq: lastSeq, sessions: localSessions() });
      } catch (error) {
        log.warn({ err: error }, 'readiness check failed: fleet database unavailable');
        res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
        json(res, 503, { status: 'unavailable', version: VERSION, error: 'database unavailable' });
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
