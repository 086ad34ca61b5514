/**
 * claim_scope and check_scope. A claim is decided and granted in one BEGIN IMMEDIATE
 * transaction, so when several processes race for overlapping scopes exactly one wins: the
 * others' transactions start after its commit and see its claims as conflicts.
 */
import type { Actor } from '../../domain/actor.js';
import type { Agent } from '../../domain/agent.js';
import type { Claim } from '../../domain/claim.js';
import { FleetError, forbidden, notFound } from '../../domain/errors.js';
import { newId } from '../../domain/ids.js';
import type { Tx } from '../../store/port/index.js';
import type { Deps } from '../deps.js';
import { enforceClaimPolicy } from '../policy/enforce.js';
import { readTx, writeTx } from '../tx.js';
import { decideClaims, prepareClaimRequest, resolveWorkspace, type ClaimInput, type Decision, type PlannedScope } from './decide.js';
import { mapSeq } from '../sequential.js';

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
  const request = prepareClaimRequest(input);
  // the fleet policy may require an operator's approval for some scopes (raises a blocker, refuses)
  await enforceClaimPolicy(deps, agentId, input);
  return writeTx(deps, async (tx, now) => {
    const agent = await requireAgent(tx, agentId);
    if (input.run_id !== undefined) await checkRunLink(tx, agentId, input.run_id);
    const workspace = resolveWorkspace(request.workspace, agent, deps.settings.workspace);
    const decision = await decideClaims(tx, agentId, workspace, request, now);
    if (decision.conflictsTotal > 0) return { granted: false, decision, claims: [] };
    const claims = await mapSeq(decision.scopes, (scope) => grant(tx, agentId, workspace, scope, input, decision.ttlSeconds, now));
    return { granted: true, decision, claims };
  });
}

async function grant(tx: Tx, agentId: string, workspace: string, scope: PlannedScope, input: ClaimInput, ttlSeconds: number, now: number): Promise<GrantedClaim> {
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
  const request = prepareClaimRequest(input);
  const agentId = actor.kind === 'agent' ? actor.agentId : null;
  return readTx(deps, async (tx, now) => {
    const agent = agentId ? await requireAgent(tx, agentId) : null;
    if (agentId && input.run_id !== undefined) await checkRunLink(tx, agentId, input.run_id);
    const workspace = resolveWorkspace(request.workspace, agent, deps.settings.workspace);
    const decision = await decideClaims(tx, agentId, workspace, request, now);
    return { granted: decision.conflictsTotal === 0, decision, expiresAt: now + decision.ttlSeconds * 1000 };
  });
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
