import type { Clock } from '../clock.js';
import { randomSecret, sameSecret } from './secrets.js';

/**
 * Console sign-in sessions. A session names an operator and carries its CSRF synchronizer token.
 * It ends after `idleMs` without a request, after `absoluteMs` in all, on sign-out, or (for a
 * token sign-in) when the operator token is revoked (checked by the caller on each request).
 * Sessions live in this process's memory: a restart signs everyone out, and behind several
 * replicas a load balancer must keep a browser on one replica (docs/console.md).
 */
export interface ConsoleSession {
  id: string;
  operator: string;
  /** the access token used to sign in; null for a one-time code from `fleetdeck console` */
  tokenId: string | null;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
  /** at most this many live sessions; the least recently used is dropped first */
  max: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 60 * 60_000, absoluteMs: 12 * 3600_000, max: 1_000 };

export class SessionStore {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    private readonly clock: Clock,
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  create(operator: string, tokenId: string | null): ConsoleSession {
    const now = this.clock.now();
    this.prune(now);
    while (this.sessions.size >= this.limits.max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const session: ConsoleSession = { id: randomSecret(), operator, tokenId, csrf: randomSecret(), createdAt: now, lastSeenAt: now };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, its idle timer restarted; null when unknown or expired. */
  touch(id: string | undefined): ConsoleSession | null {
    if (!id) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    const now = this.clock.now();
    if (this.expired(session, now)) {
      this.sessions.delete(id);
      return null;
    }
    session.lastSeenAt = now;
    // re-insert so the Map's order is least recently used first
    this.sessions.delete(id);
    this.sessions.set(id, session);
    return session;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  /** Seconds the cookie should live: until the absolute end of the session. */
  cookieMaxAgeSeconds(session: ConsoleSession): number {
    return Math.max(0, Math.floor((session.createdAt + this.limits.absoluteMs - this.clock.now()) / 1000));
  }

  csrfMatches(session: ConsoleSession, presented: string | undefined): boolean {
    return sameSecret(session.csrf, presented);
  }

  size(): number {
    return this.sessions.size;
  }

  private expired(s: ConsoleSession, now: number): boolean {
    return now - s.lastSeenAt >= this.limits.idleMs || now - s.createdAt >= this.limits.absoluteMs;
  }

  private prune(now: number): void {
    for (const [id, s] of this.sessions) if (this.expired(s, now)) this.sessions.delete(id);
  }
}
