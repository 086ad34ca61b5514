import type { Clock } from '../clock.js';

export interface RateLimit {
  /** attempts allowed in a window */
  attempts: number;
  windowMs: number;
  /** clients remembered at most (the oldest window is forgotten first) */
  maxClients: number;
}

export const SIGN_IN_LIMIT: RateLimit = { attempts: 10, windowMs: 60_000, maxClients: 10_000 };

/**
 * A fixed window per client key (the peer address): enough to turn a password-guessing loop into
 * 10 guesses a minute, cheap, and bounded in memory. Per process: behind several replicas each
 * counts on its own, which still bounds a guesser at replicas × attempts.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();
  limited = 0;

  constructor(
    private readonly clock: Clock,
    readonly limit: RateLimit = SIGN_IN_LIMIT,
  ) {}

  /** null when allowed (and counted); otherwise the seconds until the client may try again */
  take(key: string): number | null {
    const now = this.clock.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.limit.windowMs) {
      this.windows.delete(key);
      while (this.windows.size >= this.limit.maxClients) {
        const oldest = this.windows.keys().next().value;
        if (oldest === undefined) break;
        this.windows.delete(oldest);
      }
      w = { start: now, used: 0 };
      this.windows.set(key, w);
    }
    if (w.used >= this.limit.attempts) {
      this.limited++;
      return Math.max(1, Math.ceil((w.start + this.limit.windowMs - now) / 1000));
    }
    w.used++;
    return null;
  }

  /** gives back an attempt that succeeded: only failures use up a client's window */
  refund(key: string): void {
    const w = this.windows.get(key);
    if (w && w.used > 0) w.used--;
  }
}
