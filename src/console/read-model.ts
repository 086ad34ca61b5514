import type { RunState } from '../domain/run.js';
import type { Deps } from '../services/deps.js';
import { readTx } from '../services/tx.js';

/**
 * The console's own read views, for what no service answers yet: queue depth by priority and the
 * queue's figures over time. Read-only, and the only console file that touches
 * repositories (through the asynchronous Store port, so it reads the same on SQLite and PostgreSQL).
 */

export const BOARD_STATES = ['queued', 'leased', 'blocked', 'handoff_pending', 'completed', 'failed', 'dead', 'cancelled'] as const satisfies readonly RunState[];

export interface QueueBreakdown {
  /** queued runs by target (role or agent) and priority, highest priority first */
  byPriority: { target: string; priority: number; count: number; oldestAgeMs: number }[];
  /** true when more queued runs exist than were counted */
  truncated: boolean;
  /** finished runs per hour over the last `hours` hours, oldest first */
  series: SeriesPoint[];
}

export interface SeriesPoint {
  /** start of the hour (ms) */
  at: number;
  completed: number;
  failed: number;
  /** failed + dead over all results in the hour (null: no results) */
  failureRate: number | null;
  /** median processing time (taken → finished) of the hour's results, ms */
  /** mean processing time (taken → finished) of the runs that ended in the hour */
  meanMs: number | null;
}

const QUEUED_COUNTED = 2_000;
const HOUR = 3_600_000;

export async function queueBreakdown(deps: Deps, hours = 24): Promise<QueueBreakdown> {
  return readTx(deps, async (tx, now) => {
    const queued = await tx.runs.list({ states: ['queued'], limit: QUEUED_COUNTED + 1 });
    const groups = new Map<string, { target: string; priority: number; count: number; oldestAgeMs: number }>();
    for (const r of queued.slice(0, QUEUED_COUNTED)) {
      const target = r.toAgent ?? `role:${r.toRole}`;
      const key = `${target}\u0000${r.priority}`;
      const g = groups.get(key) ?? { target, priority: r.priority, count: 0, oldestAgeMs: 0 };
      g.count++;
      g.oldestAgeMs = Math.max(g.oldestAgeMs, now - r.createdAt);
      groups.set(key, g);
    }
    const start = Math.floor(now / HOUR) * HOUR - (hours - 1) * HOUR;
    // kept per hour as runs end (migration 013): the same few rows whatever the fleet's history or load
    const counted = new Map((await tx.runs.hourly(start / HOUR)).map((h) => [h.hour * HOUR, h]));
    return {
      byPriority: [...groups.values()].sort((a, b) => b.priority - a.priority || a.target.localeCompare(b.target)),
      truncated: queued.length > QUEUED_COUNTED,
      series: Array.from({ length: hours }, (_, i) => {
        const at = start + i * HOUR;
        const h = counted.get(at);
        const failed = (h?.failed ?? 0) + (h?.deadTried ?? 0);
        const results = (h?.completed ?? 0) + failed;
        return {
          at,
          completed: h?.completed ?? 0,
          failed,
          failureRate: results === 0 ? null : failed / results,
          meanMs: h && h.processed > 0 ? h.processedMs / h.processed : null,
        };
      }),
    };
  });
}

/** Whether an operator access token still stands (a revoked token ends the sessions it opened). */
export async function operatorTokenActive(deps: Deps, tokenId: string): Promise<boolean> {
  return readTx(deps, async (tx) => {
    const token = await tx.accessTokens.get(tokenId);
    return token !== null && token.kind === 'operator' && token.revokedAt === null;
  });
}
