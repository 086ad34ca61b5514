import { eventConcept, isEventOf, type FleetEvent } from '../../domain/event.js';
import { getAgent, listAgents } from '../../services/agents.js';
import { listClaims } from '../../services/claims/queries.js';
import { claimViewOut } from '../tools/claim-schemas.js';
import { completeAgentId } from './fleet.js';
import { json, variable, type StaticResource, type TemplateResource } from './resource.js';

export const claimsResource: StaticResource = {
  uri: 'fleet://claims',
  name: 'claims',
  title: 'Active scope claims',
  description: 'Every active claim (oldest first, up to 500): workspace, kind, pattern, mode, holder with liveness, run, since, expiry, where it was made (worktree, branch, host). One agent\'s: fleet://agents/{agent_id}/claims.',
  mimeType: 'application/json',
  read: async (ctx) => {
    const listing = await listClaims(ctx.deps, {});
    return json({ claims: listing.claims.map(claimViewOut), total: listing.total });
  },
};

export const agentClaimsResource: TemplateResource = {
  template: 'fleet://agents/{agent_id}/claims',
  name: 'agent-claims',
  title: 'One agent\'s claims',
  description: 'The active claims of one agent.',
  mimeType: 'application/json',
  list: async (ctx) =>
    (await listAgents(ctx.deps)).map(({ agent }) => ({
      uri: `fleet://agents/${agent.id}/claims`,
      name: `claims of ${agent.name}`,
    })),
  complete: { agent_id: completeAgentId },
  read: async (ctx, _uri, vars) => {
    const id = variable(vars, 'agent_id');
    const { agent, liveness } = await getAgent(ctx.deps, id);
    const listing = await listClaims(ctx.deps, { agentId: id });
    return json({ agent_id: agent.id, name: agent.name, liveness, claims: listing.claims.map(claimViewOut), total: listing.total });
  },
};

/** Claim events change the claim listings of the fleet and of the holder (and, on a transfer, of the previous holder). */
export function claimUrisChangedBy(event: FleetEvent): string[] {
  if (eventConcept(event.type) !== 'claim') return [];
  const uris = ['fleet://claims'];
  if (event.agentId) uris.push(`fleet://agents/${event.agentId}/claims`);
  const from = isEventOf(event, 'claim.transferred') ? event.payload.from_agent_id : null;
  if (from !== null) uris.push(`fleet://agents/${from}/claims`, `fleet://agents/${from}`);
  return uris;
}
