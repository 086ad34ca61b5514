import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Store } from '../store/port/index.js';
import type { ConsoleSessionRecord } from '../store/port/console-sessions.js';
import { randomSecret, sameSecret } from './secrets.js';

/**
 * Console sign-in sessions. A session names an operator and carries its CSRF synchronizer token.
 * It ends after `idleMs` without a request, after `absoluteMs` in all, on sign-out, or (for a
 * token sign-in) when the operator token is revoked (checked by the caller on each request).
 * Sessions live in the database (only the SHA-256 of the id is stored), so a restart keeps them
 * and every replica behind a load balancer knows them.
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

/** A request within this long of the last recorded one does not write: the idle timer's precision. */
const TOUCH_EVERY_MS = 30_000;

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');

export class SessionStore {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  async create(operator: string, tokenId: string | null): Promise<ConsoleSession> {
    const now = this.clock.now();
    const session: ConsoleSession = { id: randomSecret(), operator, tokenId, csrf: randomSecret(), createdAt: now, lastSeenAt: now };
    const record: ConsoleSessionRecord = { idHash: hashOf(session.id), operator, tokenId, csrf: session.csrf, createdAt: now, lastSeenAt: now };
    await this.store.write(async (tx) => {
      await tx.consoleSessions.prune(now - this.limits.idleMs, now - this.limits.absoluteMs);
      await tx.consoleSessions.insert(record);
      await tx.consoleSessions.trim(this.limits.max);
    });
    return session;
  }

  /** The live session with this id, its idle timer restarted; null when unknown or expired. */
  async touch(id: string | undefined): Promise<ConsoleSession | null> {
    if (!id || id.length > 100) return null;
    const idHash = hashOf(id);
    const record = await this.store.read((tx) => tx.consoleSessions.get(idHash));
    if (!record) return null;
    const now = this.clock.now();
    if (this.expired(record, now)) {
      await this.store.write((tx) => tx.consoleSessions.delete(idHash));
      return null;
    }
    if (now - record.lastSeenAt >= TOUCH_EVERY_MS) await this.store.write((tx) => tx.consoleSessions.touch(idHash, now));
    return { id, operator: record.operator, tokenId: record.tokenId, csrf: record.csrf, createdAt: record.createdAt, lastSeenAt: now };
  }

  async destroy(id: string): Promise<void> {
    await this.store.write((tx) => tx.consoleSessions.delete(hashOf(id)));
  }

  /** Seconds the cookie should live: until the absolute end of the session. */
  cookieMaxAgeSeconds(session: ConsoleSession): number {
    return Math.max(0, Math.floor((session.createdAt + this.limits.absoluteMs - this.clock.now()) / 1000));
  }

  csrfMatches(session: ConsoleSession, presented: string | undefined): boolean {
    return sameSecret(session.csrf, presented);
  }

  size(): Promise<number> {
    return this.store.read((tx) => tx.consoleSessions.count());
  }

  private expired(s: ConsoleSessionRecord, now: number): boolean {
    // the idle timer counts from the last recorded request, which may lag by TOUCH_EVERY_MS
    return now - s.lastSeenAt >= this.limits.idleMs || now - s.createdAt >= this.limits.absoluteMs;
  }
}
