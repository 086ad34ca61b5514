import type { Run, RunState } from '../../domain/run.js';
import type { Deps } from '../../services/deps.js';
import { BOARD_STATES, runBoard, type BoardFilter } from '../read-model.js';
import { age, stateLabel } from './format.js';
import { html } from './html.js';
import { badge, type View } from './layout.js';

const text = (q: URLSearchParams, key: string) => {
  const v = q.get(key)?.trim();
  return v ? v.slice(0, 200) : undefined;
};

/** The run board: one column per state, filtered by role, agent, type and text. */
export async function runsView(deps: Deps, query: URLSearchParams): Promise<View> {
  const filter: BoardFilter = { role: text(query, 'role'), agent: text(query, 'agent'), type: text(query, 'type'), text: text(query, 'q') };
  const only = text(query, 'state');
  const board = await runBoard(deps, filter);
  const now = deps.clock.now();
  const columns = only ? board.columns.filter((c) => c.state === only) : board.columns;
  const name = (id: string | null) => (id ? (board.agentNames.get(id) ?? id) : null);
  const card = (r: Run) => html`<li class="run-card" data-run="${r.id}">
<a href="/runs/${r.id}"><strong>${r.title}</strong></a>
<span class="meta"><code class="id">${r.id}</code> · ${r.type} · p${r.priority}</span>
<span class="meta">${r.toAgent ? html`for ${name(r.toAgent)}` : html`role ${r.toRole}`}${r.ownerId ? html` · held by ${name(r.ownerId)}` : ''} · attempt ${r.attempts}/${r.maxAttempts}</span>
<span class="meta">${r.finishedAt ? html`finished ${age(now - r.finishedAt)} ago` : html`created ${age(now - r.createdAt)} ago`}${r.deadReason ? html` · ${r.deadReason}` : ''}</span>
</li>`;
  const controls = html`<form class="filters" method="get" action="/runs" role="search" aria-label="Filter runs">
<label>State <select name="state"><option value="">all</option>${BOARD_STATES.map((s) => html`<option value="${s}"${s === only ? html` selected` : ''}>${stateLabel(s)}</option>`)}</select></label>
<label>Role <input name="role" value="${filter.role ?? ''}" size="12"></label>
<label>Agent <input name="agent" value="${filter.agent ?? ''}" size="14" placeholder="name or id"></label>
<label>Type <input name="type" value="${filter.type ?? ''}" size="10"></label>
<label>Text <input name="q" type="search" value="${filter.text ?? ''}" size="16"></label>
<button type="submit">Filter</button> <a href="/runs">Clear</a>
</form>`;
  const body = html`<div class="board">${columns.map(
    (c) => html`<section class="column" aria-labelledby="col-${c.state}"><h2 id="col-${c.state}">${badge(c.state)} <span class="count">${c.runs.length}${c.more ? '+' : ''}</span></h2>
<ul>${c.runs.length === 0 ? html`<li class="empty">none</li>` : c.runs.map(card)}</ul>${c.more ? html`<p class="meta">showing the newest 50; narrow the filters</p>` : ''}</section>`,
  )}</div>`;
  return { title: 'Runs', nav: 'runs', controls, body };
}

export type { RunState };
