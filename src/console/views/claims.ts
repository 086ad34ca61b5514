import { listClaims } from '../../services/claims/queries.js';
import type { Deps } from '../../services/deps.js';
import { age, shortTime } from './format.js';
import { html } from './html.js';
import { actionForm, badge, empty, type PageContext, type View } from './layout.js';

/** Active claims grouped by workspace, with holder, liveness and expiry; force-release per claim. */
export async function claimsView(deps: Deps, ctx: PageContext, query: URLSearchParams): Promise<View> {
  const agent = query.get('agent')?.trim() || undefined;
  const listing = await listClaims(deps, { agentId: agent && /^agt_[0-9a-z]+$/.test(agent) ? agent : undefined });
  const now = deps.clock.now();
  const byWorkspace = new Map<string, typeof listing.claims>();
  for (const c of listing.claims) {
    const list = byWorkspace.get(c.claim.workspace) ?? [];
    list.push(c);
    byWorkspace.set(c.claim.workspace, list);
  }
  const body =
    listing.claims.length === 0
      ? empty(agent ? `No active claims of ${agent}.` : 'No active claims.')
      : html`${agent ? html`<p class="meta">Claims of <code>${agent}</code> · <a href="/claims">all claims</a></p>` : ''}
<p class="meta">${listing.total} active claim(s)${listing.total > listing.claims.length ? `, ${listing.claims.length} shown` : ''}</p>
${[...byWorkspace].map(
  ([ws, claims]) => html`<section class="workspace" aria-label="Workspace ${ws}"><h2><code>${ws}</code></h2><div class="table-wrap"><table>
<thead><tr><th scope="col">Scope</th><th scope="col">Mode</th><th scope="col">Holder</th><th scope="col">Run</th><th scope="col">Since</th><th scope="col">Expires</th><th scope="col">Reason</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
<tbody>${claims.map(
    ({ claim: c, holder }) => html`<tr id="${c.id}" data-claim="${c.pattern}">
<td><code>${c.kind}</code> <code>${c.pattern}</code></td>
<td>${badge(c.mode, 'kind')}</td>
<td>${holder ? html`<a href="/agents#${holder.agentId}">${holder.name}</a> ${badge(holder.liveness)}` : c.agentId}</td>
<td>${c.runId ? html`<a href="/runs/${c.runId}">${c.runId}</a>` : '–'}</td>
<td>${age(now - c.createdAt)} ago</td>
<td><time datetime="${new Date(c.expiresAt).toISOString()}">${shortTime(c.expiresAt)}</time></td>
<td class="wrap">${c.reason ?? ''}</td>
<td>${actionForm(ctx, 'force-release', { claim_id: c.id }, html`<input type="hidden" name="reason" value="released by the operator from the console"><button type="submit" class="danger">Force release</button>`, { label: `Force release ${c.pattern}` })}</td>
</tr>`,
  )}</tbody></table></div></section>`,
)}`;
  return { title: 'Claims', nav: 'claims', body };
}
