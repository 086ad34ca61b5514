import { anchorAudit } from './audit-anchor.js';
import type { Deps } from './deps.js';
import { anythingDue, expireDue, type ExpiryReport } from './expiry.js';

/**
 * One sweep: the expiry every write runs, for the times nobody writes. A read probes first, so
 * the many processes sweeping one file take the write lock only when something is due.
 */
export async function sweepOnce(deps: Deps): Promise<ExpiryReport> {
  const due = await deps.store.read((tx) => anythingDue(tx, deps.clock.now()));
  if (!due) return { staleAgents: [], expired: 0 };
  const report = await deps.store.write((tx) => expireDue(tx, deps.clock.now()));
  if (report.staleAgents.length > 0 || report.expired > 0) deps.onCommit?.();
  return report;
}

export interface Sweeper {
  stop(): void;
}

/**
 * Sweeps every `intervalSeconds` and truncates the WAL every `checkpointEvery` sweeps. The timer
 * is unref'd: it never keeps a process alive on its own.
 */
export function startSweeper(deps: Deps, intervalSeconds: number, checkpointEvery = 12): Sweeper {
  let running = false;
  let count = 0;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepOnce(deps)
      .then(async (report) => {
        if (report.staleAgents.length > 0) deps.logger.info({ stale: report.staleAgents }, 'agents turned stale');
        if (++count % checkpointEvery === 0) deps.store.checkpoint();
        // the audit head, kept outside the database so that `audit verify` sees a truncated tail
        await anchorAudit(deps).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not write the audit anchor'));
      })
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'sweep failed; will retry'))
      .finally(() => {
        running = false;
      });
  }, intervalSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
