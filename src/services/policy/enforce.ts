/**
 * Where the operator's policy (docs/policy.md) bites. Each check runs before the action it governs,
 * in its own transaction: a rule that fires commits what it does (a policy blocker, a
 * `policy.fired` event) and then refuses the action with a clear code, so the refusal never rolls
 * back the record of why.
 */
import { FleetError, forbidden, invalidState } from '../../domain/errors.js';
import { grantKey, leaseLimitReached, policyForClaim, completionNeedsApproval, type BlockingPolicyRule, type ClaimRuleHit, type PolicyScope } from '../../domain/policy.js';
import { OWNED_STATES } from '../../domain/run.js';
import { requireUnblockedLeased, raiseBlockerInTx } from '../blockers/steps/raise.js';
import { prepareClaimRequest, resolveWorkspace, type ClaimInput } from '../claims/steps/decide.js';
import type { Tx } from '../../store/port/index.js';
import type { Deps } from '../deps.js';
import { artifactRunId } from '../evidence/steps/artifacts.js';
import { requireRunWriter } from '../runs/steps/fencing.js';
import { clip } from '../runs/steps/transitions.js';
import { readTx, writeTx } from '../tx.js';
import { currentPolicy } from './load.js';
import { filterSeq } from '../sequential.js';

const POLICY_ACTOR = 'policy';

/**
 * `max_leased_runs_per_agent`: take_task, start_run and accept_handoff are refused with
 * INVALID_STATE while the agent already holds that many runs (leased, blocked or handoff_pending).
 */
export async function enforceLeaseLimit(deps: Deps, agentId: string, action: 'take_task' | 'start_run' | 'accept_handoff'): Promise<void> {
  const policy = currentPolicy(deps);
  const max = policy.max_leased_runs_per_agent;
  if (max === null) return;
  const held = await readTx(deps, async (tx) => (await tx.runs.listOwnedBy(agentId, OWNED_STATES)).map((r) => r.id));
  if (!leaseLimitReached(policy, held.length)) return;
  await writeTx(deps, async (tx, now) =>
    await tx.events.append(
      {
        actor: POLICY_ACTOR,
        type: 'policy.fired',
        agentId,
        payload: { rule: 'max_leased_runs_per_agent', action, outcome: 'refused', held: held.length, max, runs: held.slice(0, 20) },
      },
      now,
    ),
  );
  throw invalidState(
    `you already hold ${held.length} run(s); the fleet policy allows at most ${max} per agent`,
    `finish (submit_result), hand off or fail one of your runs first: ${held.slice(0, 5).join(', ')}`,
    { rule: 'max_leased_runs_per_agent', max, runs: held.slice(0, 20) },
  );
}

/**
 * `claims_need_approval`: a requested scope that overlaps a governed pattern is not granted until
 * an operator approves it for this agent. With a run, an approval blocker is raised on that run
 * (which becomes blocked) and the claim is refused with FORBIDDEN naming the blocker; after the
 * approval the same claim is granted. Without a run there is nothing to block: FORBIDDEN, pass run_id.
 */
export async function enforceClaimPolicy(deps: Deps, agentId: string, input: ClaimInput): Promise<void> {
  const policy = currentPolicy(deps);
  if (policy.claims_need_approval.length === 0) return;
  const request = await prepareClaimRequest(input);
  const pending = await readTx(deps, async (tx) => {
    const agent = await tx.agents.get(agentId);
    const workspace = resolveWorkspace(request.workspace, agent, deps.settings.workspace);
    const hits = policyForClaim(
      policy,
      request.scopes.map((s) => ({ kind: s.kind, pattern: s.pattern, workspace })),
    );
    return filterSeq(hits, async (h) => !(await tx.blockers.hasGrant(agentId, RULE_CLAIMS, grantKey(h.scope))));
  });
  if (pending.length === 0) return;
  const scopes = pending.map(scopeOut);
  if (input.run_id === undefined) {
    await writeTx(deps, async (tx, now) =>
      await tx.events.append({ actor: POLICY_ACTOR, type: 'policy.fired', agentId, payload: { rule: RULE_CLAIMS, outcome: 'refused', reason: 'no run_id', scopes } }, now),
    );
    throw forbidden(
      `claiming ${describe(pending)} needs an operator's approval (fleet policy)`,
      'pass the run_id this work belongs to: an approval blocker is raised on that run, and once approved the same claim is granted',
    );
  }
  const runId = input.run_id;
  const raised = await writeTx(deps, async (tx, now) => {
    const still = await filterSeq(pending, async (h) => !(await tx.blockers.hasGrant(agentId, RULE_CLAIMS, grantKey(h.scope))));
    if (still.length === 0) return null; // approved meanwhile
    const run = await requireRunWriter(tx, runId, agentId, undefined, now);
    const open = run.state === 'blocked' ? await tx.blockers.openForRun(run.id) : null;
    if (open && open.policyRule === RULE_CLAIMS) return { blocker: open, fresh: false };
    await requireUnblockedLeased(tx, run);
    const { blocker } = await raiseBlockerInTx(
      tx,
      run,
      {
        kind: 'approval',
        question: `Approve ${await agentLabel(tx, agentId)} claiming ${describe(still)} for run ${run.id} "${clip(run.title, 80)}"?`,
        options: [],
        context: still
          .map((h) => `${h.scope.kind} ${h.scope.pattern} in ${h.scope.workspace} matches the governed pattern ${h.rule.pattern} (e.g. ${h.witness})${h.rule.reason ? `: ${h.rule.reason}` : ''}`)
          .join('\n'),
        evidence: [],
        origin: 'policy',
        raisedBy: POLICY_ACTOR,
        policyRule: RULE_CLAIMS,
        policySubject: { scopes: still.map(scopeOut) },
      },
      now,
    );
    await tx.events.append(
      { actor: POLICY_ACTOR, type: 'policy.fired', agentId, runId: run.id, subjectId: blocker.id, payload: { rule: RULE_CLAIMS, outcome: 'blocker_raised', scopes: still.map(scopeOut) } },
      now,
    );
    return { blocker, fresh: true };
  });
  if (!raised) return;
  throw new FleetError(
    'FORBIDDEN',
    `claiming ${describe(pending)} needs an operator's approval (fleet policy): ${raised.fresh ? 'approval blocker raised' : 'still waiting on blocker'} ${raised.blocker.id}; run ${runId} is blocked until it is decided`,
    `await_update with blocker_id ${raised.blocker.id}; once approved, call claim_scope again with the same scopes`,
    { blocker_id: raised.blocker.id, rule: RULE_CLAIMS, scopes },
  );
}

export interface CompletionInput {
  run_id: string;
  outcome: 'completed' | 'failed';
  summary: string;
  evidence?: string[];
  lease_epoch?: number;
}

/**
 * `types_need_approval_before_complete`: a `completed` result on a run of a governed type needs an
 * approved approval blocker on that run. The first attempt raises it (the run becomes blocked, the
 * proposed summary and evidence go into the blocker) and answers INVALID_STATE; after approval
 * the same submit_result succeeds. A `failed` result never needs approval.
 */
export async function enforceCompletionPolicy(deps: Deps, agentId: string, input: CompletionInput): Promise<void> {
  if (input.outcome !== 'completed') return;
  const policy = currentPolicy(deps);
  if (policy.types_need_approval_before_complete.length === 0) return;
  const runType = await readTx(deps, async (tx) => {
    const run = await tx.runs.get(input.run_id);
    const needs = run !== null && completionNeedsApproval(policy, run.type) && !await tx.blockers.hasApprovedPolicyBlocker(run.id, RULE_COMPLETE);
    return needs ? run.type : null;
  });
  if (runType === null) return;
  const raised = await writeTx(deps, async (tx, now) => {
    if (await tx.blockers.hasApprovedPolicyBlocker(input.run_id, RULE_COMPLETE)) return null;
    const run = await requireRunWriter(tx, input.run_id, agentId, input.lease_epoch, now);
    const open = run.state === 'blocked' ? await tx.blockers.openForRun(run.id) : null;
    if (open && open.policyRule === RULE_COMPLETE) return { blocker: open, fresh: false };
    await requireUnblockedLeased(tx, run);
    const evidence = await filterSeq(new Set(input.evidence ?? []), async (id) => (await artifactRunId(tx, id)) === run.id);
    const { blocker } = await raiseBlockerInTx(
      tx,
      run,
      {
        kind: 'approval',
        question: `Approve completing ${run.type} run ${run.id} "${clip(run.title, 80)}"?`,
        options: [],
        context: `Proposed result of ${await agentLabel(tx, agentId)}: ${clip(input.summary, 3000)}`,
        evidence,
        origin: 'policy',
        raisedBy: POLICY_ACTOR,
        policyRule: RULE_COMPLETE,
        policySubject: { run_type: run.type, summary: clip(input.summary, 500) },
      },
      now,
    );
    await tx.events.append(
      { actor: POLICY_ACTOR, type: 'policy.fired', agentId, runId: run.id, subjectId: blocker.id, payload: { rule: RULE_COMPLETE, outcome: 'blocker_raised', run_type: run.type } },
      now,
    );
    return { blocker, fresh: true };
  });
  if (!raised) return;
  throw invalidState(
    `completing a ${runType} run needs an operator's approval (fleet policy): ${raised.fresh ? 'approval blocker raised' : 'still waiting on blocker'} ${raised.blocker.id}`,
    `await_update with blocker_id ${raised.blocker.id}; once approved, call submit_result again with the same arguments`,
    { blocker_id: raised.blocker.id, rule: RULE_COMPLETE, run_id: input.run_id },
  );
}

const RULE_CLAIMS = 'claims_need_approval' satisfies BlockingPolicyRule;
const RULE_COMPLETE = 'types_need_approval_before_complete' satisfies BlockingPolicyRule;

function scopeOut(h: ClaimRuleHit): PolicyScope {
  return { kind: h.scope.kind, pattern: h.scope.pattern, workspace: h.scope.workspace, rule_pattern: h.rule.pattern, witness: h.witness };
}

function describe(hits: ClaimRuleHit[]): string {
  return hits.map((h) => `${h.scope.kind} ${h.scope.pattern}`).join(', ');
}

async function agentLabel(tx: Tx, agentId: string): Promise<string> {
  const agent = await tx.agents.get(agentId);
  return agent ? `${agent.name} (${agentId})` : agentId;
}
