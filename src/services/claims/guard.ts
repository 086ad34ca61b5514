/**
 * The rule behind `fleetdeck guard` (a git pre-commit check): which staged paths fall inside a
 * live agent's exclusive path claim in this workspace, when that agent is not the committer.
 */
import { livenessAt, type Agent } from '../../domain/agent.js';
import { ancestorPrefixes, type Claim } from '../../domain/claim.js';
import { globMatches } from '../../domain/glob/index.js';
import type { Deps } from '../deps.js';
import { canonicalWorkspace } from '../workspace-identity.js';
import { readTx } from '../tx.js';
import type { Holder } from './decide.js';

export interface GuardInput {
  workspace: string;
  /** staged paths, relative to the workspace root */
  paths: string[];
  /** the committer's own agent id: its claims never block it */
  agentId?: string;
}

export interface GuardViolation {
  path: string;
  claim: Claim;
  holder: Holder;
}

/**
 * A path p can only be matched by a claim whose index prefix is a prefix of `p + '/'` (see
 * literalPrefix), so each path costs a handful of exact index lookups, whatever the claim count.
 */
export async function guardViolations(deps: Deps, input: GuardInput): Promise<GuardViolation[]> {
  const workspace = canonicalWorkspace(input.workspace);
  return readTx(deps, async (tx, now) => {
    const holders = new Map<string, Agent | null>();
    const violations: GuardViolation[] = [];
    for (const path of input.paths) {
      for (const claim of await tx.claims.atPrefixes(workspace, 'path', ancestorPrefixes(`${path}/`), now)) {
        if (claim.mode !== 'exclusive' || claim.agentId === input.agentId) continue;
        if (!holders.has(claim.agentId)) holders.set(claim.agentId, await tx.agents.get(claim.agentId));
        const agent = holders.get(claim.agentId)!;
        if (!agent || livenessAt(agent, now) === 'stale') continue;
        if (!globMatches(claim.pattern, path)) continue;
        violations.push({ path, claim, holder: { agentId: agent.id, name: agent.name, liveness: 'active', lastSeenAt: agent.lastSeenAt } });
      }
    }
    return violations;
  });
}
