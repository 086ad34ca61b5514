/**
 * The claim decision: for each requested scope, the active claims of other live agents it
 * conflicts with, each with a witness. It is made in three steps so that the costly part, the glob
 * comparisons, never runs inside a transaction: snapshotCandidates reads the candidates,
 * compare.ts compares them (metered, yielding), assembleDecision puts the answer together.
 */
import { livenessAt, type Agent, type Liveness } from '../../domain/agent.js';
import {
  ancestorPrefixes,
  CLAIM_LIMITS,
  CLAIM_TTL,
  normalizeScope,
  prefixRangeEnd,
  scopeAutomatonSize,
  type Claim,
  type ClaimKind,
  type ClaimMode,
} from '../../domain/claim.js';
import { FleetError } from '../../domain/errors.js';
import type { WorkMeter } from '../../domain/glob/index.js';
import type { Tx } from '../../store/port/index.js';
import { charge, globRefusal, newWorkMeter, Pacer, STEPS_PER_AUTOMATON_ITEM } from './budget.js';
import { mapSeq } from '../sequential.js';
import { canonicalWorkspace } from '../workspace-identity.js';

export interface ScopeInput {
  kind: ClaimKind;
  pattern: string;
  mode?: ClaimMode;
}

export interface ClaimInput {
  scopes: ScopeInput[];
  /** default mode of scopes that do not name one (default exclusive) */
  mode?: ClaimMode;
  run_id?: string;
  ttl_seconds?: number;
  reason?: string;
  workspace?: string;
}

/** One requested scope after normalisation (duplicates merged: exclusive wins). */
export interface PlannedScope {
  kind: ClaimKind;
  pattern: string;
  prefix: string;
  mode: ClaimMode;
  /** the requester's own active claim on exactly this pattern: a re-claim extends it */
  existing: Claim | null;
}

export interface Holder {
  agentId: string;
  name: string;
  liveness: Liveness;
  lastSeenAt: number;
}

export interface Conflict {
  requested: PlannedScope;
  claim: Claim;
  holder: Holder;
  /** a concrete path (or name) both patterns match */
  witness: string;
}

export interface Decision {
  workspace: string;
  scopes: PlannedScope[];
  /** the first CLAIM_LIMITS.conflictsReported conflicts */
  conflicts: Conflict[];
  conflictsTotal: number;
  ttlSeconds: number;
}

export interface PreparedRequest {
  scopes: Omit<PlannedScope, 'existing'>[];
  ttlSeconds: number;
  workspace: string | null;
}

/**
 * Validates, normalises and compiles a request before any transaction: a malformed, absolute or
 * escaping pattern, or one too complex to compile, is INVALID_INPUT with the glob module's message
 * and hint, and nothing is written. Parsing and compiling a long pattern takes milliseconds, so
 * the patterns are paced and their cost charged to the request's work meter (budget.ts).
 */
export async function prepareClaimRequest(input: ClaimInput, meter: WorkMeter = newWorkMeter()): Promise<PreparedRequest> {
  if (input.scopes.length === 0) throw new FleetError('INVALID_INPUT', 'scopes is empty', 'name at least one {kind, pattern}');
  if (input.scopes.length > CLAIM_LIMITS.scopesPerCall) {
    throw new FleetError('TOO_LARGE', `at most ${CLAIM_LIMITS.scopesPerCall} scopes per call`, 'claim a broader glob, or split the request');
  }
  const ttlSeconds = input.ttl_seconds ?? CLAIM_TTL.defaultSeconds;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < CLAIM_TTL.minSeconds || ttlSeconds > CLAIM_TTL.maxSeconds) {
    throw new FleetError(
      'INVALID_INPUT',
      `ttl_seconds must be an integer between ${CLAIM_TTL.minSeconds} and ${CLAIM_TTL.maxSeconds}`,
      `omit it for the default (${CLAIM_TTL.defaultSeconds} s); every call you make renews your claims anyway`,
    );
  }
  let workspace: string | null = null;
  if (input.workspace !== undefined) {
    workspace = canonicalWorkspace(input.workspace);
    if (workspace === '') throw new FleetError('INVALID_INPUT', 'workspace is empty', 'omit it to use your registered workspace');
  }
  const merged = new Map<string, Omit<PlannedScope, 'existing'>>();
  const pacer = new Pacer();
  for (const [i, scope] of input.scopes.entries()) {
    await pacer.pause();
    let normalized;
    try {
      normalized = normalizeScope(scope.kind, scope.pattern);
      charge(meter, (scope.pattern.length + scopeAutomatonSize(normalized.kind, normalized.pattern)) * STEPS_PER_AUTOMATON_ITEM);
    } catch (error) {
      throw globRefusal(error, i, scope.pattern, null);
    }
    const mode = scope.mode ?? input.mode ?? 'exclusive';
    const key = `${normalized.kind}\u0000${normalized.pattern}`;
    const seen = merged.get(key);
    merged.set(key, { ...normalized, mode: seen?.mode === 'exclusive' ? 'exclusive' : mode });
  }
  return { scopes: [...merged.values()], ttlSeconds, workspace };
}

/**
 * The workspace of a request: as given, else the requester's registered one, else the server's.
 * A directory stands for its repository (services/workspace-identity.ts).
 */
export function resolveWorkspace(requested: string | null, requester: Agent | null, serverDefault: string): string {
  return requested ?? canonicalWorkspace(requester?.workspace ?? serverDefault);
}

/** One candidate of a requested scope: an active claim of another live agent that might overlap. */
export interface Candidate {
  claim: Claim;
  holder: Holder;
}

/**
 * What the decision needs from the store, read in one transaction: the requested scopes (with the
 * requester's own claims on the same patterns) and, per scope, the candidates found through the
 * prefix index. Only this function touches the store; the glob comparisons run on its result
 * outside any transaction (compare.ts).
 */
export interface ClaimSnapshot {
  workspace: string;
  scopes: PlannedScope[];
  candidates: Candidate[][];
  ttlSeconds: number;
}

/**
 * Claims past their expiry and claims of holders past their lease are not candidates: inside a
 * write the expiry pass has already ended them; in a read (check_scope) they are skipped here, so
 * both give the same answer.
 */
export async function snapshotCandidates(tx: Tx, requesterId: string | null, workspace: string, request: PreparedRequest, now: number): Promise<ClaimSnapshot> {
  const holders = new Map<string, Agent | null>();
  const holderOf = async (id: string): Promise<Agent | null> => {
    if (!holders.has(id)) holders.set(id, await tx.agents.get(id));
    return holders.get(id)!;
  };
  const scopes: PlannedScope[] = await mapSeq(request.scopes, async (s) => ({
    ...s,
    existing: requesterId ? await tx.claims.findOwn(requesterId, workspace, s.kind, s.pattern) : null,
  }));
  const candidates = await mapSeq(scopes, async (scope) => {
    const found: Candidate[] = [];
    const rows = await tx.claims.candidates({
      workspace,
      kind: scope.kind,
      prefix: scope.prefix,
      ancestors: ancestorPrefixes(scope.prefix),
      rangeEnd: prefixRangeEnd(scope.prefix),
      exclusiveOnly: scope.mode === 'shared',
      excludeAgentId: requesterId,
      now,
    });
    for (const claim of rows) {
      const holder = await holderOf(claim.agentId);
      if (!holder || livenessAt(holder, now) === 'stale') continue;
      found.push({ claim, holder: { agentId: holder.id, name: holder.name, liveness: 'active', lastSeenAt: holder.lastSeenAt } });
    }
    return found;
  });
  return { workspace, scopes, candidates, ttlSeconds: request.ttlSeconds };
}

/** The key of one compared (requested scope, held claim) pair; a claim's pattern never changes. */
export function pairKey(workspace: string, scopeIndex: number, claimId: string): string {
  return `${workspace}\u0000${scopeIndex}\u0000${claimId}`;
}

/** Overlap results by pairKey: a witness, or null for no overlap. */
export type Comparisons = Map<string, string | null>;

/** Whether every candidate of the snapshot has been compared (else the snapshot is newer than the comparisons). */
export function comparedAll(snapshot: ClaimSnapshot, comparisons: Comparisons): boolean {
  return snapshot.candidates.every((list, i) => list.every((c) => comparisons.has(pairKey(snapshot.workspace, i, c.claim.id))));
}

/**
 * The decision from a snapshot whose every candidate has been compared. Two claims conflict when
 * they are in the same workspace, of the same kind, at least one is exclusive (the candidate query
 * ensures both), their patterns overlap, and their holders differ.
 */
export function assembleDecision(snapshot: ClaimSnapshot, comparisons: Comparisons): Decision {
  const conflicts: Conflict[] = [];
  let conflictsTotal = 0;
  snapshot.candidates.forEach((list, i) => {
    const requested = snapshot.scopes[i]!;
    for (const { claim, holder } of list) {
      const witness = comparisons.get(pairKey(snapshot.workspace, i, claim.id));
      if (witness === undefined) throw new Error(`claim ${claim.id} was not compared`);
      if (witness === null) continue;
      conflictsTotal++;
      if (conflicts.length < CLAIM_LIMITS.conflictsReported) conflicts.push({ requested, claim, holder, witness });
    }
  });
  const order = (c: Conflict) => snapshot.scopes.indexOf(c.requested);
  conflicts.sort(
    (a, b) => order(a) - order(b) || a.claim.createdAt - b.claim.createdAt || (a.claim.pattern < b.claim.pattern ? -1 : a.claim.pattern > b.claim.pattern ? 1 : 0),
  );
  return { workspace: snapshot.workspace, scopes: snapshot.scopes, conflicts, conflictsTotal, ttlSeconds: snapshot.ttlSeconds };
}
