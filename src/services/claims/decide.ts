/**
 * The claim decision: for each requested scope, the active claims of other live agents it
 * conflicts with, each with a witness. It only reads, so claim_scope runs it inside its write
 * transaction (and grants in the same one) while check_scope runs it in a read snapshot.
 */
import { livenessAt, type Agent, type Liveness } from '../../domain/agent.js';
import {
  ancestorPrefixes,
  CLAIM_LIMITS,
  CLAIM_TTL,
  normalizeScope,
  normalizeWorkspace,
  prefixRangeEnd,
  scopesOverlap,
  type Claim,
  type ClaimKind,
  type ClaimMode,
} from '../../domain/claim.js';
import { FleetError } from '../../domain/errors.js';
import { GlobSyntaxError } from '../../domain/glob/index.js';
import type { Tx } from '../../store/port/index.js';
import { mapSeq } from '../sequential.js';

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
 * Validates and normalises a request before any transaction: a malformed, absolute or escaping
 * pattern is INVALID_INPUT with the glob module's message and hint, and nothing is written.
 */
export function prepareClaimRequest(input: ClaimInput): PreparedRequest {
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
  const merged = new Map<string, Omit<PlannedScope, 'existing'>>();
  input.scopes.forEach((scope, i) => {
    let normalized;
    try {
      normalized = normalizeScope(scope.kind, scope.pattern);
    } catch (error) {
      if (error instanceof GlobSyntaxError) {
        throw new FleetError('INVALID_INPUT', `scopes.${i}.pattern: ${error.message}`, error.hint, { index: i, pattern: scope.pattern });
      }
      throw error;
    }
    const mode = scope.mode ?? input.mode ?? 'exclusive';
    const key = `${normalized.kind}\u0000${normalized.pattern}`;
    const seen = merged.get(key);
    merged.set(key, { ...normalized, mode: seen?.mode === 'exclusive' ? 'exclusive' : mode });
  });
  let workspace: string | null = null;
  if (input.workspace !== undefined) {
    workspace = normalizeWorkspace(input.workspace);
    if (workspace === '') throw new FleetError('INVALID_INPUT', 'workspace is empty', 'omit it to use your registered workspace');
  }
  return { scopes: [...merged.values()], ttlSeconds, workspace };
}

/** The workspace of a request: as given, else the requester's registered one, else the server's. */
export function resolveWorkspace(requested: string | null, requester: Agent | null, serverDefault: string): string {
  return requested ?? normalizeWorkspace(requester?.workspace ?? serverDefault);
}

/**
 * Finds every conflict of the request. Two claims conflict when they are in the same workspace,
 * of the same kind, at least one is exclusive, their patterns overlap, and their holders differ.
 * Claims past their expiry and claims of holders past their lease never conflict: inside a write
 * the expiry pass has already ended them; in a read (check_scope) they are skipped here, so both
 * give the same answer.
 */
export async function decideClaims(
  tx: Tx,
  requesterId: string | null,
  workspace: string,
  request: PreparedRequest,
  now: number,
): Promise<Decision> {
  const holders = new Map<string, Agent | null>();
  const holderOf = async (id: string): Promise<Agent | null> => {
    if (!holders.has(id)) holders.set(id, await tx.agents.get(id));
    return holders.get(id)!;
  };
  const conflicts: Conflict[] = [];
  let conflictsTotal = 0;
  const scopes: PlannedScope[] = await mapSeq(request.scopes, async (s) => ({
    ...s,
    existing: requesterId ? await tx.claims.findOwn(requesterId, workspace, s.kind, s.pattern) : null,
  }));
  for (const scope of scopes) {
    const candidates = await tx.claims.candidates({
      workspace,
      kind: scope.kind,
      prefix: scope.prefix,
      ancestors: ancestorPrefixes(scope.prefix),
      rangeEnd: prefixRangeEnd(scope.prefix),
      exclusiveOnly: scope.mode === 'shared',
      excludeAgentId: requesterId,
      now,
    });
    for (const claim of candidates) {
      const holder = await holderOf(claim.agentId);
      if (!holder || livenessAt(holder, now) === 'stale') continue;
      const overlap = scopesOverlap(scope.kind, scope.pattern, claim.pattern);
      if (!overlap.overlap) continue;
      conflictsTotal++;
      if (conflicts.length < CLAIM_LIMITS.conflictsReported) {
        conflicts.push({
          requested: scope,
          claim,
          holder: { agentId: holder.id, name: holder.name, liveness: 'active', lastSeenAt: holder.lastSeenAt },
          witness: overlap.witness,
        });
      }
    }
  }
  const order = (c: Conflict) => scopes.indexOf(c.requested);
  conflicts.sort(
    (a, b) => order(a) - order(b) || a.claim.createdAt - b.claim.createdAt || (a.claim.pattern < b.claim.pattern ? -1 : a.claim.pattern > b.claim.pattern ? 1 : 0),
  );
  return { workspace, scopes, conflicts, conflictsTotal, ttlSeconds: request.ttlSeconds };
}
