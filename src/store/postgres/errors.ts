import { FleetError } from '../../domain/errors.js';

/**
 * Errors after which the whole transaction is run again from the start (the callback re-reads
 * everything, so the retry decides on the state the other transaction committed):
 * - 40001 serialization_failure and 40P01 deadlock_detected: PostgreSQL aborted us to break a cycle;
 * - 23505 unique_violation on a constraint two replicas can race for. The loser of a duplicate
 *   submit retries and then finds the winner's run (idempotency answers "deduplicated"); the loser
 *   of a second open handoff or blocker retries and gets the service's normal INVALID_STATE; the
 *   loser of one external task received twice retries and finds the winner's link.
 */
const RACE_CONSTRAINTS = new Set(['runs_idempotency', 'handoffs_one_open_per_run', 'blockers_one_open_per_run', 'external_tasks_by_task']);

export function isRetryablePgError(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (!e || typeof e.code !== 'string') return false;
  if (e.code === '40001' || e.code === '40P01') return true;
  return e.code === '23505' && typeof e.constraint === 'string' && RACE_CONSTRAINTS.has(e.constraint);
}

// Socket-level failures of the driver (no SQLSTATE): refused, reset, timed out, or the server
// closing the connection under us.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const LOST_MESSAGES = /Connection terminated|Client has encountered a connection error|connection is closed|timeout exceeded when trying to connect/i;

/**
 * Whether `error` means the database could not be reached or dropped the connection: SQLSTATE
 * class 08 (connection exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot connect
 * now: a restart or failover), or a socket error of the driver. Such a call fails with BUSY; the
 * process carries on and the pool opens fresh connections once the server is back.
 */
export function isConnectionLost(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e) return false;
  if (typeof e.code === 'string') {
    if (e.code.startsWith('08') || e.code === '57P01' || e.code === '57P02' || e.code === '57P03') return true;
    if (SOCKET_CODES.has(e.code)) return true;
  }
  return typeof e.message === 'string' && LOST_MESSAGES.test(e.message);
}

/** The BUSY a caller gets while the database is unreachable (HTTP answers it 503 with Retry-After). */
export function databaseUnavailable(cause: unknown): FleetError {
  const error = new FleetError(
    'BUSY',
    'the fleet database is unreachable right now (connection refused or dropped)',
    'retry the call in a few seconds; a write that failed this way may or may not have been applied, so read before repeating a non-idempotent one',
  );
  (error as { cause?: unknown }).cause = cause;
  return error;
}
