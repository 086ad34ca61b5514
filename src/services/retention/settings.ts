/**
 * How long the live database keeps history (SPEC §10, docs/retention.md). Days; 0 keeps forever.
 * Defaults a team would pick: a month of finished work to look back on in the console, three months
 * of audit events live (older ones stay verifiable in the archive), a week of acknowledged signals.
 */
export interface RetentionSettings {
  /** finished runs with their evidence, handoffs, blockers and ended claims; revoked tokens */
  runsDays: number;
  /** audit events (archived first, then removed from the live log) */
  eventsDays: number;
  /** acknowledged signals */
  signalsDays: number;
  /** stale agents holding nothing are forgotten (hidden from lists until their next sign of life) after this */
  staleAgentsDays: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { runsDays: 30, eventsDays: 90, signalsDays: 7, staleAgentsDays: 7 };

export const DAY_MS = 86_400_000;

/** The cutoff time for a period in days, or null when it keeps forever. */
export function cutoff(now: number, days: number): number | null {
  return days > 0 ? now - days * DAY_MS : null;
}
