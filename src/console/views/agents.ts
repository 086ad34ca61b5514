import type { Liveness } from '../../domain/agent.js';
import type { Deps } from '../../services/deps.js';
import { pageAgents } from '../../services/listings.js';
import { age, compact, timeTag } from './format.js';
import { html } from './html.js';
import { actionForm, badge, empty, type PageContext, type View } from './layout.js';
import { pager } from './pager.js';

const PER_PAGE = 50;

/** Agents, active first, searchable by text, role and liveness, paged; pause (with a reason), release, forget. */
export async function agentsView(deps: Deps, ctx: PageContext, query: URLSearchParams): Promise<View> {
  const field = (k: string) => query.get(k)?.trim().slice(0, 100) || undefined;
  const liveness = (['active', 'stale'] as const).find((l) => l === field('liveness')) as Liveness | undefined;
  const filter = { text: field('q'), role: field('role'), liveness, forgotten: query.get('forgotten') === 'show' };
  const page = await pageAgents(deps, filter, query.get('cursor') ?? undefined, PER_PAGE);
  const now = deps.clock.now();
  const controls = html`<form class="filters" method="get" action="/agents" role="search" aria-label="Search agents">
<label>Search <input name="q" type="search" value="${filter.text ?? ''}" size="16" placeholder="name, id, workspace, note"></label>
<label>Role <select name="role"><option value="">all</option>${page.roles.map((r) => html`<option value="${r}"${r === filter.role ? html` selected` : ''}>${r}</option>`)}</select></label>
<label>Liveness <select name="liveness"><option value="">any</option>${(['active', 'stale'] as const).map((l) => html`<option value="${l}"${l === liveness ? html` selected` : ''}>${l}</option>`)}</select></label>
<label class="check"><input type="checkbox" name="forgotten" value="show"${filter.forgotten ? html` checked` : ''}> forgotten (${page.forgottenCount})</label>
<button type="submit">Search</button> <a href="/agents">Clear</a>
</form>`;
  const staleIdle = page.items.filter((r) => r.liveness === 'stale' && r.claims === 0 && !r.agent.currentRunId && !r.forgotten).length;
  const body =
    page.total === 0
      ? empty(filter.text || filter.role || liveness ? 'No agent matches.' : 'No agent has registered yet. Agents appear here as soon as they register.')
      : html`${staleIdle > 0
          ? html`<div class="bulk">${actionForm(ctx, 'forget-stale-agents', {}, html`<button type="submit" data-confirm="Forget every stale agent that holds nothing? They leave this list until their next sign of life.">Forget stale agents holding nothing</button><output class="result" aria-live="polite"></output>`, { label: 'Forget stale agents holding nothing' })}</div>`
          : ''}
${pager({ path: '/agents', query, shown: page.items.length, total: page.total, next: page.next, label: 'Agents' })}
<div class="table-wrap"><table class="agents">
<thead><tr><th scope="col">Agent</th><th scope="col">Role</th><th scope="col">Workspace</th><th scope="col">Liveness</th><th scope="col">Status</th><th scope="col">Current run</th><th scope="col">Claims</th><th scope="col">Usage</th><th scope="col">Last seen</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
<tbody>${page.items.map(({ agent: a, liveness: l, claims, forgotten }) => {
          // a note and progress belong to the work in hand: an idle or stale agent's are old news
          const stale = l === 'stale' || a.status === 'idle';
          return html`<tr id="${a.id}" data-agent="${a.name}">
<td><strong>${a.name}</strong><br><code class="id">${a.id}</code></td>
<td>${a.role}</td>
<td class="wrap">${a.workspace ?? '–'}</td>
<td>${badge(l)}${a.paused ? html` ${badge('paused')}` : ''}${forgotten ? html` ${badge('forgotten', 'stale')}` : ''}</td>
<td class="wrap">${a.status}${!stale && a.progress !== null ? html` · ${Math.round(a.progress * 100)}%` : ''}${a.note ? html`<br><span class="meta${stale ? ' old-note' : ''}">${stale ? html`<span class="sr">earlier note: </span>` : ''}${a.note}</span>` : ''}</td>
<td>${a.currentRunId ? html`<a href="/runs/${a.currentRunId}"><code class="id">${a.currentRunId}</code></a>` : '–'}</td>
<td>${claims ? html`<a href="/claims?agent=${a.id}">${claims}</a>` : '0'}</td>
<td class="num" title="${a.usage.tokens_in} in, ${a.usage.tokens_out} out">${compact(a.usage.tokens_in + a.usage.tokens_out)} tok<br><span class="meta">$${a.usage.cost_usd.toFixed(2)}</span></td>
<td>${timeTag(a.lastSeenAt)}<br><span class="meta">${age(now - a.lastSeenAt)} ago</span></td>
<td class="row-actions">${a.paused
            ? actionForm(ctx, 'resume-agent', { agent_id: a.id }, html`<button type="submit">Resume</button><output class="result" aria-live="polite"></output>`, { label: `Resume ${a.name}` })
            : actionForm(ctx, 'pause-agent', { agent_id: a.id }, html`<input type="hidden" name="reason" value=""><button type="submit" data-reason="Why pause ${a.name}? (the agent is told)">Pause</button><output class="result" aria-live="polite"></output>`, { label: `Pause ${a.name}` })}
${claims ? actionForm(ctx, 'force-release', { agent_id: a.id }, html`<input type="hidden" name="reason" value="released by the operator from the console"><button type="submit" class="danger" data-confirm="Release all ${claims} claim(s) of ${a.name}? The agent is told and may lose work in progress.">Release claims</button><output class="result" aria-live="polite"></output>`, { label: `Force release every claim of ${a.name}` }) : ''}</td>
</tr>`;
        })}</tbody></table></div>`;
  return { title: 'Agents', nav: 'agents', controls, body };
}
