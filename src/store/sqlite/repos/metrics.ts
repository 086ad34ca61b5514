import { cumulativeProcessing, type AgentFigures, type MetricsRepo, type RunFigures } from '../../port/metrics.js';
import type { Db } from '../open.js';

/**
 * Read-only aggregate queries for /metrics and `fleetdeck stats`. The runs queries are prepared
 * lazily and only when the table (and the columns they use) exist, so this works on a database
 * from before the runs migration and keeps working while that schema grows.
 */
export function sqliteMetricsRepo(db: Db): MetricsRepo {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck();
  const agents = db.prepare(`SELECT
      coalesce(sum(CASE WHEN @now - last_seen_at < lease_seconds * 1000 THEN 1 ELSE 0 END), 0) AS active,
      coalesce(sum(CASE WHEN @now - last_seen_at < lease_seconds * 1000 THEN 0 ELSE 1 END), 0) AS stale,
      coalesce(sum(paused), 0) AS paused,
      coalesce(sum(tokens_in), 0) AS tokensIn,
      coalesce(sum(tokens_out), 0) AS tokensOut,
      coalesce(sum(cost_usd), 0) AS costUsd
    FROM agents`);
  const eventCounts = db.prepare('SELECT type, count(*) AS count, max(seq) AS last FROM events WHERE seq > ? GROUP BY type');
  // kept as events are written (migration 013): archived ones included, no scan of the log
  const allEventCounts = db.prepare('SELECT type, n AS count, last_seq AS last FROM event_type_counts WHERE n > 0');
  let runs: RunQueries | null | undefined;

  const tableExists = (name: string) => hasTable.get(name) === 1;
  return {
    agentFigures: async (now) => agents.get({ now }) as AgentFigures,
    async runFigures(now, bucketsMs) {
      if (runs === undefined || runs === null) runs = prepareRunQueries(db, tableExists);
      return runs ? runs.figures(now, bucketsMs) : null;
    },
    async eventCountsAfter(afterSeq) {
      const rows = (afterSeq === 0 ? allEventCounts.all() : eventCounts.all(afterSeq)) as { type: string; count: number; last: number }[];
      return { counts: rows.map((r) => ({ type: r.type, count: r.count })), lastSeq: Math.max(afterSeq, ...rows.map((r) => r.last)) };
    },
  };
}

interface RunQueries {
  figures(now: number, bucketsMs: readonly number[]): RunFigures;
}

/**
 * Run figures from the counters the triggers of migration 013 keep as runs change: a few rows,
 * whatever the number of runs ever written. Only the queue (queued runs, through their index) is
 * read from the runs themselves.
 */
function prepareRunQueries(db: Db, tableExists: (name: string) => boolean): RunQueries | null {
  if (!tableExists('runs') || !tableExists('run_totals')) return null;
  const byState = db.prepare('SELECT state, n FROM run_state_counts WHERE n > 0');
  const queue = db.prepare(`SELECT count(*) AS depth,
      coalesce(sum(CASE WHEN available_at <= @now THEN 1 ELSE 0 END), 0) AS ready,
      min(CASE WHEN available_at <= @now THEN created_at END) AS oldestReadyAt
    FROM runs WHERE state = 'queued'`);
  const totals = db.prepare(`SELECT retries, lease_expiries AS leaseExpiries, failures, tokens_in AS tokensIn, tokens_out AS tokensOut,
      cost_usd AS costUsd, processed, processed_ms AS processedMs FROM run_totals WHERE id = 1`);
  const buckets = db.prepare('SELECT le_ms, n FROM run_processing_buckets');
  return {
    figures(now, bucketsMs) {
      const states: Record<string, number> = {};
      for (const row of byState.all() as { state: string; n: number }[]) states[row.state] = row.n;
      const q = queue.get({ now }) as { depth: number; ready: number; oldestReadyAt: number | null };
      const { processed, processedMs, ...t } = totals.get() as {
        retries: number; leaseExpiries: number; failures: number; tokensIn: number; tokensOut: number; costUsd: number; processed: number; processedMs: number;
      };
      return {
        byState: states,
        queueDepth: q.depth,
        queueReady: q.ready,
        oldestReadyAt: q.oldestReadyAt,
        deadLetters: states.dead ?? 0,
        ...t,
        processing: cumulativeProcessing(buckets.all() as { le_ms: number; n: number }[], bucketsMs, processed, processedMs),
      };
    },
  };
}
