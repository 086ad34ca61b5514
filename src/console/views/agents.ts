import { livenessAt } from '../../domain/agent.js';
import { listAgents } from '../../services/agents.js';
import { listClaims } from '../../services/claims/queries.js';
import type { Deps } from '../../services/deps.js';
import { age, compact, shortTime } from './format.js';
import { html } from './html.js';
import { actionForm, badge, empty, type PageContext, type View } from './layout.js';

export async function agentsView(deps: Deps, ctx: PageContext): Promise<View> {
  const [agents, claims] = await Promise.all([listAgents(deps), listClaims(deps, {})]);
  const now = deps.clock.now();
  const claimCount = new Map<string, number>();
  for (const c of claims.claims) claimCount.set(c.claim.agentId, (claimCount.get(c.claim.agentId) ?? 0) + 1);
  const rows = agents
    .map(({ agent }) => ({ agent, liveness: livenessAt(agent, now) }))
    .sort((a, b) => (a.liveness === b.liveness ? b.agent.lastSeenAt - a.agent.lastSeenAt : a.liveness === 'active' ? -1 : 1));
  const body =
    rows.length === 0
      ? empty('No agent has registered yet. Agents appear here as soon as they call register_agent.')
      : html`<div class="table-wrap"><table class="agents">
<thead><tr><th scope="col">Agent</th><th scope="col">Role</th><th scope="col">Workspace</th><th scope="col">Liveness</th><th scope="col">Status</th><th scope="col">Current run</th><th scope="col">Claims</th><th scope="col">Usage</th><th scope="col">Last sign of life</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
<tbody>${rows.map(
          ({ agent: a, liveness }) => html`<tr id="${a.id}" data-agent="${a.name}">
<td><strong>${a.name}</strong><br><code class="id">${a.id}</code></td>
<td>${a.role}</td>
<td class="wrap">${a.workspace ?? '–'}</td>
<td>${badge(liveness)}${a.paused ? html` ${badge('paused')}` : ''}</td>
<td>${a.status}${a.progress !== null ? html` · ${Math.round(a.progress * 100)}%` : ''}${a.note ? html`<br><span class="meta">${a.note}</span>` : ''}</td>
<td>${a.currentRunId ? html`<a href="/runs/${a.currentRunId}">${a.currentRunId}</a>` : '–'}</td>
<td>${claimCount.get(a.id) ? html`<a href="/claims?agent=${a.id}">${claimCount.get(a.id)}</a>` : '0'}</td>
<td class="num" title="${a.usage.tokens_in} in, ${a.usage.tokens_out} out">${compact(a.usage.tokens_in + a.usage.tokens_out)} tok<br><span class="meta">$${a.usage.cost_usd.toFixed(2)}</span></td>
<td><time datetime="${new Date(a.lastSeenAt).toISOString()}" title="${shortTime(a.lastSeenAt)}">${age(now - a.lastSeenAt)} ago</time></td>
<td class="row-actions">${actionForm(ctx, a.paused ? 'resume-agent' : 'pause-agent', { agent_id: a.id }, html`<button type="submit">${a.paused ? 'Resume' : 'Pause'}</button>`, { label: `${a.paused ? 'Resume' : 'Pause'} ${a.name}` })}
${claimCount.get(a.id) ? actionForm(ctx, 'force-release', { agent_id: a.id, reason: 'released by the operator from the console' }, html`<button type="submit" class="danger">Release claims</button>`, { label: `Force release every claim of ${a.name}` }) : ''}</td>
</tr>`,
        )}</tbody></table></div>`;
  return { title: 'Agents', nav: 'agents', body };
}
