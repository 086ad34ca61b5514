import type { AgentFigures, MetricsRepo, RunFigures } from '../../port/metrics.js';
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
const BY_STATE = sql('SELECT state, count(*) AS n FROM runs GROUP BY state');
const QUEUE = sql(`SELECT count(*) AS depth,
    count(*) FILTER (WHERE available_at <= $1) AS ready,
    min(created_at) FILTER (WHERE available_at <= $1) AS "oldestReadyAt"
  FROM runs WHERE state = 'queued'`);
const TOTALS = sql(`SELECT coalesce(sum(retries), 0) AS retries, coalesce(sum(lease_expiries), 0) AS "leaseExpiries",
    count(*) FILTER (WHERE result_outcome = 'failed') AS failures,
    coalesce(sum(tokens_in), 0) AS "tokensIn", coalesce(sum(tokens_out), 0) AS "tokensOut", coalesce(sum(cost_usd), 0) AS "costUsd"
  FROM runs`);
// The histogram is computed in the database: one row of cumulative counts, not every duration.
const DURATIONS = sql(`WITH d AS (
    SELECT finished_at - taken_at AS ms FROM runs
    WHERE state IN ('completed', 'failed') AND taken_at IS NOT NULL AND finished_at >= taken_at
  )
  SELECT (SELECT count(*) FROM d) AS count, (SELECT coalesce(sum(ms), 0) FROM d) AS "sumMs",
    array(SELECT (SELECT count(*) FROM d WHERE ms <= u.b) FROM unnest($1::bigint[]) WITH ORDINALITY AS u(b, n) ORDER BY u.n) AS cumulative`);

export function pgMetricsRepo(s: PgSession): MetricsRepo {
  return {
    agentFigures: async (now) => (await s.one<AgentFigures>(AGENTS, [now]))!,
    runFigures: async (now, bucketsMs): Promise<RunFigures> => {
      const states: Record<string, number> = {};
      for (const row of await s.rows<{ state: string; n: number }>(BY_STATE)) states[row.state] = row.n;
      const q = (await s.one<{ depth: number; ready: number; oldestReadyAt: number | null }>(QUEUE, [now]))!;
      const t = (await s.one<Omit<RunFigures, 'byState' | 'queueDepth' | 'queueReady' | 'oldestReadyAt' | 'deadLetters' | 'processing'>>(TOTALS))!;
      const d = (await s.one<{ count: number; sumMs: number; cumulative: (number | string)[] }>(DURATIONS, [[...bucketsMs]]))!;
      return {
        byState: states,
        queueDepth: q.depth,
        queueReady: q.ready,
        oldestReadyAt: q.oldestReadyAt,
        deadLetters: states.dead ?? 0,
        ...t,
        processing: { bucketsMs: [...bucketsMs], cumulative: d.cumulative.map(Number), count: d.count, sumMs: d.sumMs },
      };
    },
    eventCountsAfter: async (afterSeq) => {
      const rows = await s.rows<{ type: string; count: number; last: number }>(EVENT_COUNTS, [afterSeq]);
      return { counts: rows.map((r) => ({ type: r.type, count: r.count })), lastSeq: Math.max(afterSeq, ...rows.map((r) => r.last)) };
    },
  };
}
