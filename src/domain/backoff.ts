/**
 * Retry delays for explicit retryable failures: exponential with "equal jitter". The nominal
 * delay of retry n (n = 1 after the first failed attempt) is min(cap, base · factor^(n-1)); the
 * actual delay is half of it plus a uniformly random share of the other half. Keeping at least
 * half spreads a herd of failures without ever retrying sooner than half the nominal delay.
 */
export interface BackoffPolicy {
  baseMs: number;
  factor: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 10_000, factor: 2, capMs: 10 * 60_000 };

/** The nominal (un-jittered) delay before retry `retry` (1-based). */
export function nominalBackoffMs(retry: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(retry));
  // the exponent is bounded so a large retry count cannot overflow to Infinity before the cap
  const raw = policy.baseMs * Math.pow(policy.factor, Math.min(n - 1, 64));
  return Math.min(policy.capMs, raw);
}

/** The jittered delay: nominal/2 + random() · nominal/2, with `random` in [0, 1) injectable. */
export function backoffDelayMs(retry: number, random: () => number = Math.random, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const nominal = nominalBackoffMs(retry, policy);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(nominal / 2 + r * (nominal / 2));
}
