/**
 * Figures for monitoring, computed from the database on each scrape so every process (and the
 * `fleetdeck stats` command) reports the same truth. Tables of concepts that may not exist yet in
 * an older database (runs) are looked up defensively: their figures are null when absent.
 */
export interface AgentFigures {
  active: number;
  stale: number;
  paused: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

export interface RunFigures {
  byState: Record<string, number>;
  /** queued runs, and those of them available now (not delayed by a retry backoff) */
  queueDepth: number;
  queueReady: number;
  /** creation time of the oldest queued run that is available now */
  oldestReadyAt: number | null;
  deadLetters: number;
  retries: number;
  leaseExpiries: number;
  /** runs whose accepted result is a failure (finished as failed or retried) */
  failures: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** processing time (taken → finished) of finished runs, cumulative counts per bucket bound */
  processing: { bucketsMs: number[]; cumulative: number[]; count: number; sumMs: number };
}

export interface EventTypeCount {
  type: string;
  count: number;
}

export interface MetricsRepo {
  agentFigures(now: number): Promise<AgentFigures>;
  /** null when the runs table does not exist in this database */
  runFigures(now: number, bucketsMs: readonly number[]): Promise<RunFigures | null>;
  /** audit events after `afterSeq`, counted by type, and the last seq counted */
  eventCountsAfter(afterSeq: number): Promise<{ counts: EventTypeCount[]; lastSeq: number }>;
}

/**
 * The processing histogram asked for (`bucketsMs`, cumulative) from the per-bucket counts the
 * database keeps (migration 013: each finished run counted once, in the smallest bound at or
 * above its time; -1 is the overflow). Exact when every asked bound is a kept bound.
 */
export function cumulativeProcessing(buckets: { le_ms: number; n: number }[], bucketsMs: readonly number[], count: number, sumMs: number): RunFigures['processing'] {
  const cumulative = bucketsMs.map((bound) => buckets.reduce((sum, b) => (b.le_ms >= 0 && b.le_ms <= bound ? sum + Number(b.n) : sum), 0));
  return { bucketsMs: [...bucketsMs], cumulative, count: Number(count), sumMs: Number(sumMs) };
}
