/** A console sign-in session as stored: the id itself is never stored, only its SHA-256. */
export interface ConsoleSessionRecord {
  idHash: string;
  operator: string;
  /** the operator access token used to sign in; null for a one-time code */
  tokenId: string | null;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

/**
 * The console's own tables: sign-in sessions, and the stale agents an operator forgot (hidden from
 * the lists until their next sign of life).
 */
export interface ConsoleSessionRepo {
  insert(session: ConsoleSessionRecord): Promise<void>;
  get(idHash: string): Promise<ConsoleSessionRecord | null>;
  /** moves last_seen_at forward (never back) */
  touch(idHash: string, now: number): Promise<void>;
  delete(idHash: string): Promise<void>;
  /** deletes sessions idle since before `idleBefore` or created before `createdBefore`; returns how many */
  prune(idleBefore: number, createdBefore: number): Promise<number>;
  /** deletes the least recently used sessions beyond the newest `keep` */
  trim(keep: number): Promise<number>;
  count(): Promise<number>;
  forgetAgent(agentId: string, now: number, by: string): Promise<void>;
  /** agent id → when it was forgotten */
  forgottenAgents(): Promise<Map<string, number>>;
}
