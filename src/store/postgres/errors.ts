/**
 * Errors after which the whole transaction is run again from the start (the callback re-reads
 * everything, so the retry decides on the state the other transaction committed):
 * - 40001 serialization_failure and 40P01 deadlock_detected: PostgreSQL aborted us to break a cycle;
 * - 23505 unique_violation on a constraint two replicas can race for. The loser of a duplicate
 *   submit retries and then finds the winner's run (idempotency answers "deduplicated"); the loser
 *   of a second open handoff or blocker retries and gets the service's normal INVALID_STATE.
 */
const RACE_CONSTRAINTS = new Set(['runs_idempotency', 'handoffs_one_open_per_run', 'blockers_one_open_per_run']);

export function isRetryablePgError(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (!e || typeof e.code !== 'string') return false;
  if (e.code === '40001' || e.code === '40P01') return true;
  return e.code === '23505' && typeof e.constraint === 'string' && RACE_CONSTRAINTS.has(e.constraint);
}
