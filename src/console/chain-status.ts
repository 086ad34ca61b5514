import { lastEventSeq, verifyAudit, type AuditReport } from '../services/audit.js';
import type { Deps } from '../services/deps.js';

/**
 * The audit chain's verification for the Events view. Verifying walks the whole log, so the result
 * is kept until the log grows, and recomputed at most every `minIntervalMs` (live refreshes of the
 * page would otherwise walk the log on every event).
 */
export class ChainStatus {
  private last: { report: AuditReport; checkedAt: number } | null = null;
  private pending: Promise<{ report: AuditReport; checkedAt: number }> | null = null;

  constructor(
    private readonly deps: Deps,
    private readonly minIntervalMs = 10_000,
  ) {}

  async current(): Promise<{ report: AuditReport; checkedAt: number; behind: number }> {
    const seq = await lastEventSeq(this.deps);
    const now = Date.now(); // a cache interval, not a rule: wall time is right here
    const fresh = this.last && (this.last.report.lastSeq === seq || now - this.last.checkedAt < this.minIntervalMs);
    if (!fresh) {
      this.pending ??= verifyAudit(this.deps).then(
        (report) => ({ report, checkedAt: Date.now() }),
      ).finally(() => {
        this.pending = null;
      });
      this.last = await this.pending;
    }
    return { ...this.last!, behind: Math.max(0, seq - this.last!.report.lastSeq) };
  }
}
