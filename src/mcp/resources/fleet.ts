import { listAgents, getAgent } from '../../services/agents.js';
import { listEvents } from '../../services/audit.js';
import { fleetOverview } from '../../services/overview.js';
import { listClaims } from '../../services/claims/queries.js';
import { agentOut } from '../tools/agent-schemas.js';
import { ownClaimOut } from '../tools/claim-schemas.js';
import { json, variable, type ResourceContext, type StaticResource, type TemplateResource } from './resource.js';

const RECENT_EVENTS = 100;

export const overviewResource: StaticResource = {
  uri: 'fleet://overview',
  name: 'overview',
  title: 'Fleet overview',
  description: 'Agents by role and liveness, stale agents, runs by state, active claims, waiting blockers and handoffs, latest event seq (same as the fleet_status tool).',
  mimeType: 'application/json',
  read: async (ctx) => json(await fleetOverview(ctx.deps)),
};

export const agentsResource: StaticResource = {
  uri: 'fleet://agents',
  name: 'agents',
  title: 'All agents',
  description: 'Every agent with role, status, liveness, last sign of life and lease expiry.',
  mimeType: 'application/json',
  read: async (ctx) => json({ agents: (await listAgents(ctx.deps)).map((a) => agentOut(a.agent, a.liveness)) }),
};

/** Completes an `{agent_id}` template variable from the registered agents. */
export async function completeAgentId(ctx: ResourceContext, prefix: string): Promise<string[]> {
  return (await listAgents(ctx.deps))
    .map((a) => a.agent.id)
    .filter((id) => id.startsWith(prefix))
    .slice(0, 100);
}

export const agentResource: TemplateResource = {
  template: 'fleet://agents/{agent_id}',
  name: 'agent',
  title: 'One agent',
  description: 'One agent: identity, status, liveness, usage, its active claims and its recent events.',
  mimeType: 'application/json',
  list: async (ctx) =>
    (await listAgents(ctx.deps)).map(({ agent, liveness }) => ({
      uri: `fleet://agents/${agent.id}`,
      name: `${agent.name} (${agent.role})`,
      description: liveness,
    })),
  complete: { agent_id: completeAgentId },
  read: async (ctx, _uri, vars) => {
    const id = variable(vars, 'agent_id');
    const { agent, liveness } = await getAgent(ctx.deps, id);
    const recent = await listEvents(ctx.deps, { agentId: id, limit: 20 });
    const claims = await listClaims(ctx.deps, { agentId: id });
    return json({ agent: agentOut(agent, liveness), claims: claims.claims.map(ownClaimOut), recent_events: recent.events });
  },
};

export const eventsResource: StaticResource = {
  uri: 'fleet://events',
  name: 'events',
  title: 'Recent audit events',
  description: `The ${RECENT_EVENTS} most recent audit events; read fleet://events/since/{seq} with next_cursor to follow on.`,
  mimeType: 'application/json',
  read: async (ctx) => {
    const page = await listEvents(ctx.deps, { limit: RECENT_EVENTS });
    return json({ events: page.events, next_cursor: page.nextCursor });
  },
};

export const eventsSinceResource: TemplateResource = {
  template: 'fleet://events/since/{seq}',
  name: 'events-since',
  title: 'Audit events after a cursor',
  description: 'Up to 200 audit events after seq, oldest first, and the next cursor.',
  mimeType: 'application/json',
  read: async (ctx, _uri, vars) => {
    const after = Number(variable(vars, 'seq'));
    const page = await listEvents(ctx.deps, { after: Number.isFinite(after) && after >= 0 ? after : 0, limit: 200 });
    return json({ events: page.events, next_cursor: page.nextCursor });
  },
};
