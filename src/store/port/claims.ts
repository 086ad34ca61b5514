import type { Claim, ClaimKind, ClaimMode } from '../../domain/claim.js';

/** What a new claim row needs: the claim's own fields, as the domain names them. */
export type NewClaimRow = Pick<Claim, 'id' | 'workspace' | 'kind' | 'pattern' | 'prefix' | 'mode' | 'agentId' | 'runId' | 'reason' | 'ttlSeconds' | 'location'> & {
  now: number;
};

export interface CandidateQuery {
  workspace: string;
  kind: ClaimKind;
  /** the new pattern's index prefix */
  prefix: string;
  /** `ancestorPrefixes(prefix)` */
  ancestors: string[];
  /** `prefixRangeEnd(prefix)`; null scans every key (prefix '') */
  rangeEnd: string | null;
  /** only exclusive claims (the request is shared, so shared claims cannot conflict) */
  exclusiveOnly: boolean;
  /** claims of this agent never conflict with its own request */
  excludeAgentId: string | null;
  /** claims expiring at or before now are over, even before the expiry step marks them */
  now: number;
}

export interface ClaimFilter {
  workspace?: string;
  agentId?: string;
  runId?: string;
  kind?: ClaimKind;
  limit: number;
}

export interface ClaimUpdate {
  mode: ClaimMode;
  ttlSeconds: number;
  expiresAt: number;
  runId: string | null;
  reason: string | null;
}

export interface ClaimRepo {
  insert(row: NewClaimRow): Promise<Claim>;
  get(id: string): Promise<Claim | null>;
  /** Active, unexpired claims that could overlap the query's pattern, found through the prefix index. */
  candidates(q: CandidateQuery): Promise<Claim[]>;
  /** Active, unexpired claims whose index prefix is one of `prefixes` (exact lookups, no range). */
  atPrefixes(workspace: string, kind: ClaimKind, prefixes: string[], now: number): Promise<Claim[]>;
  /** The agent's active claim with exactly this normalised pattern, if any. */
  findOwn(agentId: string, workspace: string, kind: ClaimKind, pattern: string): Promise<Claim | null>;
  /** Re-claim of the same pattern by its holder: new mode, ttl, run link and a later expiry. */
  update(id: string, u: ClaimUpdate): Promise<Claim>;
  /** Ends one claim if still active (state 'released' or 'expired'); null when it was not active. */
  end(id: string, state: 'released' | 'expired', reason: string, now: number): Promise<Claim | null>;
  /** Active claims, oldest first. */
  listActive(filter: ClaimFilter): Promise<Claim[]>;
  countActive(filter: Omit<ClaimFilter, 'limit'>): Promise<number>;
  /** Active claims whose expiry is at or before `now` (uses the expiry index). */
  listDue(now: number, limit: number): Promise<Claim[]>;
  /** The earliest expiry of an active claim (null: none), for the sweep's next deadline. */
  nextExpiry(): Promise<number | null>;
  /** One UPDATE: every active, unexpired claim of the agent expires no sooner than now + its ttl. Returns their ids. */
  renewAgent(agentId: string, now: number): Promise<string[]>;
  /** The distinct workspaces of active claims that are absolute paths (named before workspaces were repositories). */
  activePathWorkspaces(limit: number): Promise<string[]>;
  /** Moves every active claim of workspace `from` to `to`. Returns the ids moved. */
  moveWorkspace(from: string, to: string): Promise<string[]>;
  /** Moves the run's active claims to another agent, renewing them from now. Returns them. */
  transferRun(runId: string, toAgentId: string, now: number): Promise<Claim[]>;
}
