import type { Claim, ClaimKind, ClaimMode } from '../../domain/claim.js';

/** What a new claim row needs: the claim's own fields, as the domain names them. */
export type NewClaimRow = Pick<Claim, 'id' | 'workspace' | 'kind' | 'pattern' | 'prefix' | 'mode' | 'agentId' | 'runId' | 'reason' | 'ttlSeconds'> & {
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
  insert(row: NewClaimRow): Claim;
  get(id: string): Claim | null;
  /** Active, unexpired claims that could overlap the query's pattern, found through the prefix index. */
  candidates(q: CandidateQuery): Claim[];
  /** Active, unexpired claims whose index prefix is one of `prefixes` (exact lookups, no range). */
  atPrefixes(workspace: string, kind: ClaimKind, prefixes: string[], now: number): Claim[];
  /** The agent's active claim with exactly this normalised pattern, if any. */
  findOwn(agentId: string, workspace: string, kind: ClaimKind, pattern: string): Claim | null;
  /** Re-claim of the same pattern by its holder: new mode, ttl, run link and a later expiry. */
  update(id: string, u: ClaimUpdate): Claim;
  /** Ends one claim if still active (state 'released' or 'expired'); null when it was not active. */
  end(id: string, state: 'released' | 'expired', reason: string, now: number): Claim | null;
  /** Active claims, oldest first. */
  listActive(filter: ClaimFilter): Claim[];
  countActive(filter: Omit<ClaimFilter, 'limit'>): number;
  /** Active claims whose expiry is at or before `now` (uses the expiry index). */
  listDue(now: number, limit: number): Claim[];
  /** One UPDATE: every active, unexpired claim of the agent expires no sooner than now + its ttl. Returns their ids. */
  renewAgent(agentId: string, now: number): string[];
  /** Moves the run's active claims to another agent, renewing them from now. Returns them. */
  transferRun(runId: string, toAgentId: string, now: number): Claim[];
}
