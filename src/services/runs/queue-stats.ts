import type { Run, RunState } from '../../domain/run.js';
import type { Deps } from '../deps.js';
import { readTx } from '../tx.js';

export interface QueueStats {
  generated_at: number;
  depth: { role: string; state: RunState; count: number }[];
  queued_total: number;
  oldest_queued_age_ms: number | null;
  dead_letters: { total: number; recent: DeadLetter[] };
  processing_ms: { p50: number | null; p95: number | null; samples: number };
  finished: { completed: number; failed: number; dead: number; cancelled: number };
  /** failed + dead over completed + failed + dead (null before any result) */
  failure_rate: number | null;
  retries: number;
  lease_expiries: number;
  usage: {
    total: { runs: number; tokens_in: number; tokens_out: number; cost_usd: number };
    per_run: { tokens_in: number; tokens_out: number; cost_usd: number };
    by_role: { role: string; runs: number; tokens_in: number; tokens_out: number; cost_usd: number; cost_per_run: number }[];
  };
}

export interface DeadLetter {
  run_id: string;
  title: string;
  target: string;
  dead_reason: string | null;
  last_error: string | null;
  attempts: number;
  max_attempts: number;
  finished_at: number | null;
}

/** How many recent results the latency percentiles look at. */
const LATENCY_SAMPLE = 1_000;
const DEAD_LETTERS_SHOWN = 20;

/** fleet://queue: depth, age, dead letters, latency, failure rate, retries, expiries, usage. */
export async function queueStats(deps: Deps): Promise<QueueStats> {
  return readTx(deps, async (tx, now) => {
    const a = await tx.runs.aggregates(LATENCY_SAMPLE);
    const dead = await tx.runs.list({ states: ['dead'], limit: DEAD_LETTERS_SHOWN });
    const results = a.finished.completed + a.finished.failed + a.finished.dead;
    const total = a.usageByRole.reduce(
      (t, r) => ({ runs: t.runs + r.runs, tokens_in: t.tokens_in + r.tokens_in, tokens_out: t.tokens_out + r.tokens_out, cost_usd: t.cost_usd + r.cost_usd }),
      { runs: 0, tokens_in: 0, tokens_out: 0, cost_usd: 0 },
    );
    const per = (x: number, n: number) => (n === 0 ? 0 : round(x / n));
    return {
      generated_at: now,
      depth: a.depth,
      queued_total: a.depth.filter((d) => d.state === 'queued').reduce((n, d) => n + d.count, 0),
      oldest_queued_age_ms: a.oldestQueuedCreatedAt === null ? null : now - a.oldestQueuedCreatedAt,
      dead_letters: { total: a.finished.dead, recent: dead.map(deadLetter) },
      processing_ms: { p50: percentile(a.latenciesMs, 0.5), p95: percentile(a.latenciesMs, 0.95), samples: a.latenciesMs.length },
      finished: a.finished,
      failure_rate: results === 0 ? null : round((a.finished.failed + a.finished.dead) / results),
      retries: a.retries,
      lease_expiries: a.leaseExpiries,
      usage: {
        total: { ...total, cost_usd: round(total.cost_usd) },
        per_run: { tokens_in: per(total.tokens_in, total.runs), tokens_out: per(total.tokens_out, total.runs), cost_usd: per(total.cost_usd, total.runs) },
        by_role: a.usageByRole.map((r) => ({ ...r, cost_usd: round(r.cost_usd), cost_per_run: per(r.cost_usd, r.runs) })),
      },
    };
  });
}

export async function deadLetters(deps: Deps, limit: number): Promise<DeadLetter[]> {
  return readTx(deps, async (tx) => (await tx.runs.list({ states: ['dead'], limit })).map(deadLetter));
}

function deadLetter(r: Run): DeadLetter {
  return {
    run_id: r.id,
    title: r.title,
    target: r.toAgent ?? `role:${r.toRole}`,
    dead_reason: r.deadReason,
    last_error: r.lastError,
    attempts: r.attempts,
    max_attempts: r.maxAttempts,
    finished_at: r.finishedAt,
  };
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
