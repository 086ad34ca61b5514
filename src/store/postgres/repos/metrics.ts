import { cumulativeProcessing, type AgentFigures, type MetricsRepo, type RunFigures } from '../../port/metrics.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';

/** Read-only aggregates for /metrics and `fleetdeck stats`; every replica reports the same truth. */
const AGENTS = sql(`SELECT
    count(*) FILTER (WHERE $1 - last_seen_at < lease_seconds * 1000::bigint) AS active,
    count(*) FILTER (WHERE $1 - last_seen_at >= lease_seconds * 1000::bigint) AS stale,
    count(*) FILTER (WHERE paused) AS paused,
    coalesce(sum(tokens_in), 0) AS "tokensIn",
    coalesce(sum(tokens_out), 0) AS "tokensOut",
    coalesce(sum(cost_usd), 0) AS "costUsd"
  FROM agents`);
const EVENT_COUNTS = sql('SELECT type, count(*) AS count, max(seq) AS last FROM events WHERE seq > $1 GROUP BY type');
// Kept as the state changes by the triggers of migration 013 (16 shard rows each): no scan of the
// runs or events ever written, so a scrape costs the same at 100 runs and at 100,000.
const ALL_EVENT_COUNTS = sql('SELECT type, sum(n)::bigint AS count, max(last_seq) AS last FROM event_type_counts GROUP BY type HAVING sum(n) > 0');
const BY_STATE = sql('SELECT state, sum(n)::bigint AS n FROM run_state_counts GROUP BY state HAVING sum(n) > 0');
const QUEUE = sql(`SELECT count(*) AS depth,
    count(*) FILTER (WHERE available_at <= $1) AS ready,
    min(created_at) FILTER (WHERE available_at <= $1) AS "oldestReadyAt"
  FROM runs WHERE state = 'queued'`);
const TOTALS = sql(`SELECT sum(retries)::bigint AS retries, sum(lease_expiries)::bigint AS "leaseExpiries", sum(failures)::bigint AS failures,
    sum(tokens_in)::bigint AS "tokensIn", sum(tokens_out)::bigint AS "tokensOut", sum(cost_usd) AS "costUsd",
    sum(processed)::bigint AS processed, sum(processed_ms)::bigint AS "processedMs"
  FROM run_totals`);
const BUCKETS = sql('SELECT le_ms, sum(n)::bigint AS n FROM run_processing_buckets GROUP BY le_ms');

export function pgMetricsRepo(s: PgSession): MetricsRepo {
  return {
    agentFigures: async (now) => (await s.one<AgentFigures>(AGENTS, [now]))!,
    runFigures: async (now, bucketsMs): Promise<RunFigures> => {
      const states: Record<string, number> = {};
      for (const row of await s.rows<{ state: string; n: number }>(BY_STATE)) states[row.state] = row.n;
      const q = (await s.one<{ depth: number; ready: number; oldestReadyAt: number | null }>(QUEUE, [now]))!;
      const t = (await s.one<{ retries: number; leaseExpiries: number; failures: number; tokensIn: number; tokensOut: number; costUsd: number; processed: number; processedMs: number }>(TOTALS))!;
      const buckets = await s.rows<{ le_ms: number; n: number }>(BUCKETS);
      const { processed, processedMs, ...totals } = t;
      return {
        byState: states,
        queueDepth: q.depth,
        queueReady: q.ready,
        oldestReadyAt: q.oldestReadyAt,
        deadLetters: states.dead ?? 0,
        ...totals,
        processing: cumulativeProcessing(buckets, bucketsMs, processed, processedMs),
      };
    },
    eventCountsAfter: async (afterSeq) => {
      // from the beginning: the counters (archived events included); after a seq: the few newer events
      const rows = afterSeq === 0 ? await s.rows<{ type: string; count: number; last: number }>(ALL_EVENT_COUNTS) : await s.rows<{ type: string; count: number; last: number }>(EVENT_COUNTS, [afterSeq]);
      return { counts: rows.map((r) => ({ type: r.type, count: r.count })), lastSeq: Math.max(afterSeq, ...rows.map((r) => r.last)) };
    },
  };
}
