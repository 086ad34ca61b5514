/** Read views of claims: fleet://claims, an agent's claims, whoami, the `claims` CLI command. */
import { livenessAt, type Agent } from '../../domain/agent.js';
import { CLAIM_LIMITS, type Claim, type ClaimKind } from '../../domain/claim.js';
import type { Tx } from '../../store/port/index.js';
import type { Deps } from '../deps.js';
import { canonicalWorkspace } from '../workspace-identity.js';
import { readTx } from '../tx.js';
import type { Holder } from './decide.js';

export interface ClaimFilterInput {
  workspace?: string;
  agentId?: string;
  runId?: string;
  kind?: ClaimKind;
  limit?: number;
}

export interface ClaimView {
  claim: Claim;
  holder: Holder | null;
}

export interface ClaimListing {
  claims: ClaimView[];
  /** all active claims matching the filter (the listing may stop at the limit) */
  total: number;
}

/**
 * Active claims, oldest first, each with its holder's name and liveness. A claim whose expiry or
 * holder's lease has passed but that no write has ended yet is left out: it no longer holds.
 */
export async function listActiveClaims(tx: Tx, filter: ClaimFilterInput, now: number): Promise<ClaimListing> {
  const f = {
    workspace: filter.workspace === undefined ? undefined : canonicalWorkspace(filter.workspace),
    agentId: filter.agentId,
    runId: filter.runId,
    kind: filter.kind,
  };
  const limit = Math.min(filter.limit ?? CLAIM_LIMITS.listed, CLAIM_LIMITS.listed);
  const holders = new Map<string, Agent | null>();
  const views: ClaimView[] = [];
  const rows = await tx.claims.listActive({ ...f, limit });
  for (const claim of rows) {
    if (claim.expiresAt <= now) continue;
    if (!holders.has(claim.agentId)) holders.set(claim.agentId, await tx.agents.get(claim.agentId));
    const agent = holders.get(claim.agentId)!;
    if (agent && livenessAt(agent, now) === 'stale') continue;
    views.push({ claim, holder: agent ? { agentId: agent.id, name: agent.name, liveness: 'active', lastSeenAt: agent.lastSeenAt } : null });
  }
  // Under the limit the listing is complete; at it, count the rest (not-yet-ended rows included).
  return { claims: views, total: rows.length < limit ? views.length : await tx.claims.countActive(f) - (rows.length - views.length) };
}

export async function listClaims(deps: Deps, filter: ClaimFilterInput): Promise<ClaimListing> {
  return readTx(deps, async (tx, now) => await listActiveClaims(tx, filter, now));
}
