import type { Run, RunState } from '../../domain/run.js';
import { listAgents } from '../../services/agents.js';
import type { Deps } from '../../services/deps.js';
import { countRunsByState, pageRuns, type RunFilter } from '../../services/listings.js';
import { BOARD_STATES } from '../read-model.js';
import { age, stateLabel } from './format.js';
import { html } from './html.js';
import { actionForm, badge, type PageContext, type View } from './layout.js';
import { pager } from './pager.js';

const text = (q: URLSearchParams, key: string) => {
  const v = q.get(key)?.trim();
  return v ? v.slice(0, 200) : undefined;
};

/** cards per column on the whole board; one state's page shows more, with paging */
const BOARD_CARDS = 20;
const STATE_PAGE = 50;

/**
 * The run board: one column per state with its exact count, filtered by role, agent, type and
 * text in the database; the queued column in the order take_task takes runs. One state (`?state=`)
 * pages through all its runs.
 */
export async function runsView(deps: Deps, ctx: PageContext, query: URLSearchParams): Promise<View> {
  const filter: RunFilter = { role: text(query, 'role'), agent: text(query, 'agent'), type: text(query, 'type'), text: text(query, 'q') };
  const onlyParam = text(query, 'state');
  const only = BOARD_STATES.find((s) => s === onlyParam);
  const states: readonly RunState[] = only ? [only] : BOARD_STATES;
  const [agents, counts, pages] = await Promise.all([
    listAgents(deps),
    countRunsByState(deps, BOARD_STATES, filter),
    Promise.all(states.map((s) => pageRuns(deps, s, filter, only ? (query.get('cursor') ?? undefined) : undefined, only ? STATE_PAGE : BOARD_CARDS))),
  ]);
  const names = new Map(agents.map(({ agent }) => [agent.id, agent.name]));
  const now = deps.clock.now();
  const name = (id: string | null) => (id ? (names.get(id) ?? id) : null);
  const card = (r: Run) => html`<li class="run-card" data-run="${r.id}">
<a href="/runs/${r.id}"><strong>${r.title}</strong></a>
<span class="meta"><code class="id">${r.id}</code> · ${r.type} · p${r.priority}</span>
<span class="meta">${r.toAgent ? html`for ${name(r.toAgent)}` : html`role ${r.toRole}`}${r.ownerId ? html` · held by ${name(r.ownerId)}` : ''} · attempt ${r.attempts}/${r.maxAttempts}</span>
<span class="meta">${r.finishedAt ? html`finished ${age(now - r.finishedAt)} ago` : html`created ${age(now - r.createdAt)} ago`}${r.deadReason ? html` · ${r.deadReason}` : ''}</span>
</li>`;
  const controls = html`<form class="filters" method="get" action="/runs" role="search" aria-label="Filter runs">
<label>State <select name="state"><option value="">all</option>${BOARD_STATES.map((s) => html`<option value="${s}"${s === only ? html` selected` : ''}>${stateLabel(s)} (${counts.get(s) ?? 0})</option>`)}</select></label>
<label>Role <input name="role" value="${filter.role ?? ''}" size="12"></label>
<label>Agent <input name="agent" value="${filter.agent ?? ''}" size="14" placeholder="name or id"></label>
<label>Type <input name="type" value="${filter.type ?? ''}" size="10"></label>
<label>Text <input name="q" type="search" value="${filter.text ?? ''}" size="16"></label>
<button type="submit">Filter</button> <a href="/runs">Clear</a>
</form>`;
  const stateHref = (s: RunState) => {
    const q = new URLSearchParams(query);
    q.delete('cursor');
    q.set('state', s);
    return `/runs?${q.toString()}`;
  };
  const deadCount = counts.get('dead') ?? 0;
  const body = html`${only === 'dead' && deadCount > 0
    ? html`<div class="bulk">${actionForm(ctx, 'requeue-dead', {}, html`<button type="submit" data-confirm="Requeue all ${deadCount} dead letter(s)? Each goes back to the queue for a new attempt.">Requeue all ${deadCount} dead letters</button><output class="result" aria-live="polite"></output>`, { label: 'Requeue every dead letter' })}</div>`
    : ''}<div class="board${only ? ' single' : ''}">${states.map((s, i) => {
    const page = pages[i]!;
    const total = counts.get(s) ?? page.total;
    return html`<section class="column" aria-labelledby="col-${s}"><h2 id="col-${s}"><a href="${stateHref(s)}">${badge(s)}</a> <span class="count" data-count="${total}">${total}</span></h2>
${s === 'queued' ? html`<p class="meta">in take order: priority, then oldest</p>` : ''}
<ul>${page.items.length === 0 ? html`<li class="empty">none</li>` : page.items.map(card)}</ul>
${only ? pager({ path: '/runs', query, shown: page.items.length, total, next: page.next, label: `${stateLabel(s)} runs` }) : page.items.length < total ? html`<p class="meta"><a href="${stateHref(s)}">All ${total} ${stateLabel(s)} →</a></p>` : ''}</section>`;
  })}</div>`;
  return { title: 'Runs', nav: 'runs', controls, body };
}

export type { RunState };
