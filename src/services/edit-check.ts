/**
 * Whether an agent may edit one file of a workspace now: the rule behind the pre-tool-use hook.
 * Another live agent's exclusive path claim on the file forbids it (the git guard's rule, reused:
 * claims/guard.ts); a file under a scope the fleet policy governs needs a person's approval unless
 * the agent already holds a claim covering it (claims on governed scope are granted only after an
 * operator approved them).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FleetError } from '../domain/errors.js';
import { globMatches } from '../domain/glob/index.js';
import { literalGlob } from '../domain/glob-literal.js';
import { guardViolations, type GuardViolation } from './claims/guard.js';
import { listClaims } from './claims/queries.js';
import type { Deps } from './deps.js';
import { canonicalWorkspace } from './workspace-identity.js';

export interface EditCheckInput {
  workspace: string;
  /** relative to the workspace root */
  path: string;
  /** the editing agent (its own claims never stop it); absent when the session has no agent */
  agentId?: string;
}

export type EditVerdict =
  | { kind: 'clear' }
  | { kind: 'claimed'; violations: GuardViolation[] }
  | { kind: 'needs-approval'; rulePattern: string; ruleReason: string | null; witness: string }
  | { kind: 'policy-invalid'; message: string };

export async function checkEdit(deps: Deps, input: EditCheckInput): Promise<EditVerdict> {
  const workspace = canonicalWorkspace(input.workspace);
  const violations = await guardViolations(deps, { workspace, paths: [input.path], agentId: input.agentId });
  if (violations.length > 0) return { kind: 'claimed', violations };
  return policyVerdict(deps, workspace, input);
}

async function policyVerdict(deps: Deps, workspace: string, input: EditCheckInput): Promise<EditVerdict> {
  // the same path services/policy/load.ts reads; with no file there are no rules, and the policy
  // module (and its schema library) is not even loaded: this runs on every edit
  const file = deps.settings.policyFile ?? join(deps.settings.dataDir, 'policy.json');
  if (!existsSync(file)) return { kind: 'clear' };
  const [{ currentPolicy }, { policyForClaim }] = await Promise.all([import('./policy/load.js'), import('../domain/policy.js')]);
  let policy;
  try {
    policy = currentPolicy(deps);
  } catch (error) {
    if (error instanceof FleetError) return { kind: 'policy-invalid', message: error.message };
    throw error;
  }
  const hit = policyForClaim(policy, [{ kind: 'path', pattern: literalGlob(input.path), workspace }])[0];
  if (!hit) return { kind: 'clear' };
  if (input.agentId !== undefined) {
    const own = await listClaims(deps, { agentId: input.agentId, workspace, kind: 'path' });
    if (own.claims.some((v) => globMatches(v.claim.pattern, input.path))) return { kind: 'clear' };
  }
  return { kind: 'needs-approval', rulePattern: hit.rule.pattern, ruleReason: hit.rule.reason ?? null, witness: hit.witness };
}
