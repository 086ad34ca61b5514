import { anchorAudit } from './audit-anchor.js';
import type { Deps } from './deps.js';
import { expiryGate, nextDeadline } from './expiry-gate.js';
import { expireDue, type ExpiryReport } from './expiry.js';
import { applyRetention } from './retention/apply.js';

/**
 * One sweep: the expiry pass for the times nobody writes. One read learns the earliest deadline in
 * the database (other processes' deadlines included), so the many processes sweeping one file take
 * the write lock only when something is due.
 */
export async function sweepOnce(deps: Deps): Promise<ExpiryReport> {
  const gate = expiryGate(deps.store);
  const next = await deps.store.read(async (tx) => await nextDeadline(tx));
  const now = deps.clock.now();
  if (next === null || next > now) {
    gate.set(next);
    return { staleAgents: [], expired: 0 };
  }
  const report = await deps.store.write(async (tx) => {
    const at = deps.clock.now();
    const done = await expireDue(tx, at);
    gate.set(await nextDeadline(tx));
    return done;
  });
  if (report.staleAgents.length > 0 || report.expired > 0) deps.onCommit?.();
  return report;
}

export interface Sweeper {
  stop(): void;
}

/** Never re-arm sooner than this: a deadline in the past that another process is handling is not a busy loop. */
const MIN_DELAY_MS = 50;

/**
 * Sweeps at the next deadline this process knows of, and at least every `intervalSeconds` (which
 * is how deadlines written by other processes are learned); truncates the WAL every
 * `checkpointEvery` interval sweeps. Timers are unref'd: they never keep a process alive on their own.
 */
/** How often a server applies retention (a pass is a few short transactions; many processes may do it). */
const RETENTION_EVERY_MS = 60_000;

export function startSweeper(deps: Deps, intervalSeconds: number, checkpointEvery = 12): Sweeper {
  const gate = expiryGate(deps.store);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let lastIntervalSweep = Date.now();
  let count = 0;
  let lastRetention = 0;
  const arm = () => {
    if (stopped) return;
    const intervalAt = lastIntervalSweep + intervalSeconds * 1000;
    const deadlineIn = gate.nextAt - deps.clock.now();
    const delay = Math.max(MIN_DELAY_MS, Math.min(intervalAt - Date.now(), Number.isFinite(deadlineIn) ? deadlineIn + 1 : Infinity));
    timer = setTimeout(tick, delay);
    timer.unref();
  };
  const tick = () => {
    const interval = Date.now() >= lastIntervalSweep + intervalSeconds * 1000;
    if (interval) lastIntervalSweep = Date.now();
    sweepOnce(deps)
      .then(async (report) => {
        if (report.staleAgents.length > 0) deps.logger.info({ stale: report.staleAgents }, 'agents turned stale');
        if (interval && ++count % checkpointEvery === 0) await deps.store.checkpoint();
        // the audit head, kept outside the database so that `audit verify` sees a truncated tail
        if (interval) await anchorAudit(deps).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not write the audit anchor'));
        if (interval && Date.now() - lastRetention >= RETENTION_EVERY_MS) {
          lastRetention = Date.now();
          const applied = await applyRetention(deps).catch((error: unknown) => deps.logger.warn({ err: error }, 'retention pass failed; will retry'));
          if (applied && (applied.archivedEvents > 0 || applied.runs > 0)) deps.logger.info({ retention: { ...applied, segments: applied.segments.length } }, 'retention applied');
        }
      })
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'sweep failed; will retry'))
      .finally(arm);
  };
  arm();
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
