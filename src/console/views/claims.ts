import type { Deps } from '../../services/deps.js';
import { pageClaims } from '../../services/listings.js';
import type { ClaimView } from '../../services/claims/queries.js';
import { age, timeTag } from './format.js';
import { html } from './html.js';
import { actionForm, badge, empty, type PageContext, type View } from './layout.js';
import { pager } from './pager.js';

const PER_PAGE = 50;

/** Active claims grouped by workspace, searchable, paged; force-release per claim (confirmed). */
export async function claimsView(deps: Deps, ctx: PageContext, query: URLSearchParams): Promise<View> {
  const field = (k: string) => query.get(k)?.trim().slice(0, 200) || undefined;
  const agent = field('agent');
  const filter = { agentId: agent && /^agt_[0-9a-z]+$/.test(agent) ? agent : undefined, workspace: field('workspace'), text: field('q') };
  const page = await pageClaims(deps, filter, query.get('cursor') ?? undefined, PER_PAGE);
  const now = deps.clock.now();
  const byWorkspace = new Map<string, ClaimView[]>();
  for (const c of page.items) {
    const list = byWorkspace.get(c.claim.workspace) ?? [];
    list.push(c);
    byWorkspace.set(c.claim.workspace, list);
  }
  const controls = html`<form class="filters" method="get" action="/claims" role="search" aria-label="Search claims">
<label>Search <input name="q" type="search" value="${filter.text ?? ''}" size="16" placeholder="pattern, holder, reason"></label>
<label>Workspace <select name="workspace"><option value="">all</option>${page.workspaces.map((w) => html`<option value="${w}"${w === filter.workspace ? html` selected` : ''}>${w}</option>`)}</select></label>
${filter.agentId ? html`<input type="hidden" name="agent" value="${filter.agentId}">` : ''}
<button type="submit">Search</button> <a href="/claims">Clear</a>
</form>`;
  const body =
    page.total === 0
      ? empty(filter.agentId || filter.text || filter.workspace ? 'No active claim matches.' : 'No active claims.')
      : html`${filter.agentId ? html`<p class="meta">Claims of <code>${filter.agentId}</code> · <a href="/claims">all claims</a></p>` : ''}
${pager({ path: '/claims', query, shown: page.items.length, total: page.total, next: page.next, label: 'Claims' })}
${[...byWorkspace].map(
  ([ws, claims]) => html`<section class="workspace" aria-label="Workspace ${ws}"><h2><code class="wrap-any">${ws}</code></h2><div class="table-wrap"><table class="claims">
<thead><tr><th scope="col">Scope</th><th scope="col">Mode</th><th scope="col">Holder</th><th scope="col">Run</th><th scope="col">Since</th><th scope="col">Expires</th><th scope="col">Reason</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
<tbody>${claims.map(
    ({ claim: c, holder }) => html`<tr id="${c.id}" data-claim="${c.pattern}">
<td class="wrap"><code>${c.kind}</code> <code>${c.pattern}</code></td>
<td>${badge(c.mode, 'kind')}</td>
<td>${holder ? html`<a href="/agents#${holder.agentId}">${holder.name}</a> ${badge(holder.liveness)}` : html`<code class="id">${c.agentId}</code>`}</td>
<td>${c.runId ? html`<a href="/runs/${c.runId}"><code class="id">${c.runId}</code></a>` : '–'}</td>
<td>${age(now - c.createdAt)} ago</td>
<td>${timeTag(c.expiresAt)}</td>
<td class="wrap">${c.reason ?? ''}</td>
<td>${actionForm(ctx, 'force-release', { claim_id: c.id }, html`<input type="hidden" name="reason" value="released by the operator from the console"><button type="submit" class="danger" data-confirm="Force-release ${c.pattern} held by ${holder?.name ?? c.agentId}? The holder is told and may lose work in progress.">Force release</button><output class="result" aria-live="polite"></output>`, { label: `Force release ${c.pattern}` })}</td>
</tr>`,
  )}</tbody></table></div></section>`,
)}`;
  return { title: 'Claims', nav: 'claims', controls, body };
}
