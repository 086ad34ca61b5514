import type { Blocker, BlockerKind, BlockerState, Decision } from '../../domain/blocker.js';

/** What a new blocker row needs: the blocker's own fields, as the domain names them. */
export type NewBlockerRow = Pick<
  Blocker,
  'id' | 'runId' | 'agentId' | 'raisedBy' | 'origin' | 'kind' | 'question' | 'options' | 'context' | 'evidence' | 'policyRule' | 'policySubject'
> & { now: number };

export interface BlockerResolution {
  decision: Decision;
  resolution: string | null;
  chosenOption: string | null;
  reassignedTo: string | null;
  resolvedBy: string;
}

export interface BlockerListFilter {
  states?: BlockerState[];
  runId?: string;
  agentId?: string;
  kinds?: BlockerKind[];
  limit: number;
}

export interface BlockerRepo {
  /** Fails (UNIQUE) when the run already has an open blocker. */
  insert(row: NewBlockerRow): Promise<Blocker>;
  get(id: string): Promise<Blocker | null>;
  listByRun(runId: string): Promise<Blocker[]>;
  openForRun(runId: string): Promise<Blocker | null>;
  /** One conditional UPDATE … WHERE state = 'open' RETURNING: a blocker is decided once. */
  resolve(id: string, resolution: BlockerResolution, now: number): Promise<Blocker | null>;
  /** Closes an open blocker without a decision (its run moved on); null when it was not open. */
  markObsolete(id: string, by: string, reason: string, now: number): Promise<Blocker | null>;
  /** Open blockers first by age (oldest first), then others newest first. */
  list(filter: BlockerListFilter): Promise<Blocker[]>;
  /** Open blockers whose run is no longer blocked (finished, reassigned or requeued elsewhere). */
  listOrphaned(limit: number): Promise<Blocker[]>;
  /** Whether the run has a policy blocker of this rule that an operator approved. */
  hasApprovedPolicyBlocker(runId: string, rule: string): Promise<boolean>;
  /** Approved claim scopes, remembered per agent (see domain/policy.ts grantKey). */
  insertGrant(agentId: string, rule: string, subject: string, blockerId: string, now: number): Promise<void>;
  hasGrant(agentId: string, rule: string, subject: string): Promise<boolean>;
  listIds(prefix: string, limit: number): Promise<string[]>;
  /** How many blockers are open, and since when the oldest waits (uses the open index). */
  openSummary(): Promise<{ count: number; oldestAt: number | null }>;
}
