/**
 * claim_scope and check_scope. The glob comparisons, which a crafted pattern can make costly, run
 * outside any transaction on a read snapshot of the candidates (compare.ts: metered, yielding).
 * The grant is one short BEGIN IMMEDIATE transaction that reads the candidates again and grants
 * only if every one of them was compared, i.e. no claim that could conflict appeared since the
 * snapshot; otherwise it compares the newcomers and tries again. So when several processes race
 * for overlapping scopes exactly one wins: the others' transactions start after its commit, find
 * its claims among their candidates, compare them, and see them as conflicts.
 */
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { Actor } from '../../domain/actor.js';
import { NO_LOCATION, type WorkLocation } from '../../domain/workspace.js';
import type { Agent } from '../../domain/agent.js';
import type { Claim } from '../../domain/claim.js';
import { FleetError, forbidden, notFound } from '../../domain/errors.js';
import { newId } from '../../domain/ids.js';
import type { Tx } from '../../store/port/index.js';
import type { Deps } from '../deps.js';
import { enforceClaimPolicy } from '../policy/enforce.js';
import { readTx, writeTx } from '../tx.js';
import { newWorkMeter } from './budget.js';
import { compareSnapshot } from './compare.js';
import {
  assembleDecision,
  comparedAll,
  prepareClaimRequest,
  resolveWorkspace,
  snapshotCandidates,
  type ClaimInput,
  type ClaimSnapshot,
  type Comparisons,
  type Decision,
  type PlannedScope,
  type PreparedRequest,
} from './decide.js';
import { mapSeq } from '../sequential.js';
import { hostName, locationOf } from '../workspace-identity.js';

/** The location fields an event records (only those known). */
function locationPayload(at: WorkLocation): Record<string, string> {
  const out: Record<string, string> = {};
  if (at.worktree) out.worktree = at.worktree;
  if (at.branch) out.branch = at.branch;
  if (at.host) out.host = at.host;
  return out;
}

export interface GrantedClaim {
  claim: Claim;
  /** true when the request re-claimed a pattern the agent already held (its expiry was extended) */
  extended: boolean;
}

export type ClaimOutcome =
  | { granted: true; decision: Decision; claims: GrantedClaim[] }
  | { granted: false; decision: Decision; claims: [] };

/** Decides and, when nothing conflicts, grants every scope (all-or-nothing), with one event per claim. */
export async function claimScope(deps: Deps, agentId: string, input: ClaimInput): Promise<ClaimOutcome> {
  const meter = newWorkMeter();
  const request = await prepareClaimRequest(input, meter);
  // the fleet policy may require an operator's approval for some scopes (raises a blocker, refuses)
  await enforceClaimPolicy(deps, agentId, input);
  const comparisons: Comparisons = new Map();
  for (let attempt = 0; attempt < GRANT_ATTEMPTS; attempt++) {
    const snapshot = await readTx(deps, async (tx, now) => await snapshotFor(deps, tx, agentId, input, request, now));
    await compareSnapshot(snapshot, comparisons, meter);
    const outcome = await writeTx(deps, async (tx, now): Promise<ClaimOutcome | null> => {
      const fresh = await snapshotFor(deps, tx, agentId, input, request, now);
      if (!comparedAll(fresh, comparisons)) return null;
      const decision = assembleDecision(fresh, comparisons);
      if (decision.conflictsTotal > 0) return { granted: false, decision, claims: [] };
      const location = claimLocation(deps, await tx.agents.get(agentId));
      const claims = await mapSeq(decision.scopes, (scope) => grant(tx, agentId, decision.workspace, scope, input, decision.ttlSeconds, now, location));
      return { granted: true, decision, claims };
    });
    if (outcome) return outcome;
  }
  throw new FleetError('BUSY', 'the claims of this workspace kept changing while your request was decided', 'call claim_scope again');
}

/** Snapshot, compare, verify: at most this many rounds before BUSY (each round compares only newcomers). */
const GRANT_ATTEMPTS = 5;

/** The caller's checks and the candidates, read in one transaction (the only store access of a decision). */
async function snapshotFor(deps: Deps, tx: Tx, agentId: string | null, input: ClaimInput, request: PreparedRequest, now: number): Promise<ClaimSnapshot> {
  const agent = agentId ? await requireAgent(tx, agentId) : null;
  if (agentId && input.run_id !== undefined) await checkRunLink(tx, agentId, input.run_id);
  const workspace = resolveWorkspace(request.workspace, agent, deps.settings.workspace);
  return await snapshotCandidates(tx, agentId, workspace, request, now);
}

/**
 * Where a claim is made: the worktree the agent registered (a session agent registers its worktree),
 * else where this process works. Synchronous file reads only (git's HEAD): it runs inside the grant.
 */
function claimLocation(deps: Deps, agent: Agent | null): WorkLocation {
  const registered = agent?.workspace ?? null;
  if (registered !== null && isAbsolute(registered) && existsSync(registered)) return locationOf(registered);
  return deps.settings.location ?? { ...NO_LOCATION, host: hostName() };
}

async function grant(
  tx: Tx,
  agentId: string,
  workspace: string,
  scope: PlannedScope,
  input: ClaimInput,
  ttlSeconds: number,
  now: number,
  location: WorkLocation,
): Promise<GrantedClaim> {
  const runId = input.run_id ?? null;
  const reason = input.reason ?? null;
  if (scope.existing) {
    const claim = await tx.claims.update(scope.existing.id, { mode: scope.mode, ttlSeconds, expiresAt: now + ttlSeconds * 1000, runId, reason });
    await tx.events.append(
      {
        actor: agentId,
        type: 'claim.extended',
        agentId,
        runId: claim.runId,
        subjectId: claim.id,
        payload: { workspace, kind: claim.kind, pattern: claim.pattern, mode: claim.mode, expires_at: claim.expiresAt, ttl_seconds: ttlSeconds },
      },
      now,
    );
    return { claim, extended: true };
  }
  const claim = await tx.claims.insert({
    id: newId('clm'),
    workspace,
    kind: scope.kind,
    pattern: scope.pattern,
    prefix: scope.prefix,
    mode: scope.mode,
    agentId,
    runId,
    reason,
    ttlSeconds,
    now,
    location,
  });
  await tx.events.append(
    {
      actor: agentId,
      type: 'claim.granted',
      agentId,
      runId,
      subjectId: claim.id,
      payload: {
        workspace,
        kind: claim.kind,
        pattern: claim.pattern,
        mode: claim.mode,
        expires_at: claim.expiresAt,
        ttl_seconds: ttlSeconds,
        ...(reason !== null ? { reason } : {}),
        ...locationPayload(location),
      },
    },
    now,
  );
  return { claim, extended: false };
}

export interface CheckOutcome {
  granted: boolean;
  decision: Decision;
  /** when claim_scope would expire the claims if granted now */
  expiresAt: number;
}

/**
 * What claim_scope would answer now, taking nothing: a read snapshot, no event. The operator
 * (or any caller that is not an agent) is checked against every holder.
 */
export async function checkScope(deps: Deps, actor: Actor, input: ClaimInput): Promise<CheckOutcome> {
  const meter = newWorkMeter();
  const request = await prepareClaimRequest(input, meter);
  const agentId = actor.kind === 'agent' ? actor.agentId : null;
  const { snapshot, now } = await readTx(deps, async (tx, at) => ({ snapshot: await snapshotFor(deps, tx, agentId, input, request, at), now: at }));
  const comparisons: Comparisons = new Map();
  await compareSnapshot(snapshot, comparisons, meter);
  const decision = assembleDecision(snapshot, comparisons);
  return { granted: decision.conflictsTotal === 0, decision, expiresAt: now + decision.ttlSeconds * 1000 };
}

async function requireAgent(tx: Tx, agentId: string): Promise<Agent> {
  const agent = await tx.agents.get(agentId);
  if (!agent) throw notFound('agent', agentId, 'register_agent again');
  return agent;
}

/** A claim may be linked only to a run the caller owns, so the run's end releases it. */
async function checkRunLink(tx: Tx, agentId: string, runId: string): Promise<void> {
  const run = await tx.runs.get(runId);
  if (!run) throw notFound('run', runId, 'omit run_id, or pass the id of a run you hold (take_task, start_run)');
  if (run.ownerId !== agentId) {
    throw run.ownerId === null
      ? new FleetError('INVALID_STATE', `run ${runId} is ${run.state} and has no owner`, 'link claims only to a run you currently hold')
      : forbidden(`run ${runId} is held by ${run.ownerId}, not by you`, 'link claims only to a run you currently hold');
  }
}
