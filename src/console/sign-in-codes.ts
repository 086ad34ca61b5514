import type { Clock } from '../clock.js';
import { randomSecret } from './secrets.js';

/**
 * One-time sign-in codes printed by `fleetdeck console`: short-lived (5 minutes by default) and
 * single-use, so a link left in a terminal's scrollback or a shell history is worthless soon
 * after. The operator token never appears in a URL.
 */
export class SignInCodes {
  private readonly codes = new Map<string, { operator: string; expiresAt: number }>();

  constructor(
    private readonly clock: Clock,
    readonly ttlMs = 5 * 60_000,
    private readonly max = 100,
  ) {}

  issue(operator: string): { code: string; expiresAt: number } {
    const now = this.clock.now();
    for (const [c, v] of this.codes) if (v.expiresAt <= now) this.codes.delete(c);
    while (this.codes.size >= this.max) {
      const oldest = this.codes.keys().next().value;
      if (oldest === undefined) break;
      this.codes.delete(oldest);
    }
    const code = randomSecret(24);
    const expiresAt = now + this.ttlMs;
    this.codes.set(code, { operator, expiresAt });
    return { code, expiresAt };
  }

  /** The operator the code was issued for, once; null when unknown, used or expired. */
  consume(code: string | undefined): string | null {
    if (!code || code.length > 100) return null;
    const entry = this.codes.get(code);
    if (!entry) return null;
    this.codes.delete(code);
    return entry.expiresAt > this.clock.now() ? entry.operator : null;
  }
}
