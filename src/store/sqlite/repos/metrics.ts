import type { AgentFigures, MetricsRepo, RunFigures } from '../../port/metrics.js';
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
  let runs: RunQueries | null | undefined;

  const tableExists = (name: string) => hasTable.get(name) === 1;
  return {
    agentFigures: async (now) => agents.get({ now }) as AgentFigures,
    async runFigures(now, bucketsMs) {
      if (runs === undefined || runs === null) runs = prepareRunQueries(db, tableExists);
      return runs ? runs.figures(now, bucketsMs) : null;
    },
    async eventCountsAfter(afterSeq) {
      const rows = eventCounts.all(afterSeq) as { type: string; count: number; last: number }[];
      return { counts: rows.map((r) => ({ type: r.type, count: r.count })), lastSeq: Math.max(afterSeq, ...rows.map((r) => r.last)) };
    },
  };
}

interface RunQueries {
  figures(now: number, bucketsMs: readonly number[]): RunFigures;
}

const RUN_COLUMNS = ['state', 'available_at', 'created_at', 'taken_at', 'finished_at', 'retries', 'lease_expiries', 'result_outcome', 'tokens_in', 'tokens_out', 'cost_usd'];

function prepareRunQueries(db: Db, tableExists: (name: string) => boolean): RunQueries | null {
  if (!tableExists('runs')) return null;
  const columns = new Set((db.pragma('table_info(runs)') as { name: string }[]).map((c) => c.name));
  if (!RUN_COLUMNS.every((c) => columns.has(c))) return null;
  const byState = db.prepare('SELECT state, count(*) AS n FROM runs GROUP BY state');
  const queue = db.prepare(`SELECT count(*) AS depth,
      coalesce(sum(CASE WHEN available_at <= @now THEN 1 ELSE 0 END), 0) AS ready,
      min(CASE WHEN available_at <= @now THEN created_at END) AS oldestReadyAt
    FROM runs WHERE state = 'queued'`);
  const totals = db.prepare(`SELECT coalesce(sum(retries), 0) AS retries, coalesce(sum(lease_expiries), 0) AS leaseExpiries,
      coalesce(sum(CASE WHEN result_outcome = 'failed' THEN 1 ELSE 0 END), 0) AS failures,
      coalesce(sum(tokens_in), 0) AS tokensIn, coalesce(sum(tokens_out), 0) AS tokensOut, coalesce(sum(cost_usd), 0) AS costUsd
    FROM runs`);
  const durations = db.prepare(`SELECT finished_at - taken_at AS ms FROM runs
    WHERE state IN ('completed', 'failed') AND taken_at IS NOT NULL AND finished_at >= taken_at`).pluck();
  return {
    figures(now, bucketsMs) {
      const states: Record<string, number> = {};
      for (const row of byState.all() as { state: string; n: number }[]) states[row.state] = row.n;
      const q = queue.get({ now }) as { depth: number; ready: number; oldestReadyAt: number | null };
      const t = totals.get() as { retries: number; leaseExpiries: number; failures: number; tokensIn: number; tokensOut: number; costUsd: number };
      const cumulative = bucketsMs.map(() => 0);
      let count = 0;
      let sumMs = 0;
      for (const ms of durations.iterate() as IterableIterator<number>) {
        count++;
        sumMs += ms;
        for (let i = 0; i < bucketsMs.length; i++) if (ms <= bucketsMs[i]!) cumulative[i]!++;
      }
      return {
        byState: states,
        queueDepth: q.depth,
        queueReady: q.ready,
        oldestReadyAt: q.oldestReadyAt,
        deadLetters: states.dead ?? 0,
        ...t,
        processing: { bucketsMs: [...bucketsMs], cumulative, count, sumMs },
      };
    },
  };
}
