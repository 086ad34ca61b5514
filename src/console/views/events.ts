import { EVENT_CONCEPTS, EVENT_TYPES } from '../../domain/event.js';
import { listAgents } from '../../services/agents.js';
import type { Deps } from '../../services/deps.js';
import { pageEvents } from '../../services/listings.js';
import type { ChainStatus } from '../chain-status.js';
import { timeTag } from './format.js';
import { html } from './html.js';
import { badge, empty, type View } from './layout.js';
import { pager } from './pager.js';
import { payloadView } from './payload.js';

const PER_PAGE = 25;

/**
 * The audit log, newest first, paged, filtered in the database by family (`run`, `blocker`, …),
 * exact type, agent and run; heartbeats are left out unless asked for.
 */
export async function eventsView(deps: Deps, chain: ChainStatus, query: URLSearchParams): Promise<View> {
  const field = (k: string) => query.get(k)?.trim().slice(0, 64) || undefined;
  let family = field('family')?.replace(/\.$/, '');
  let type = field('type');
  // the old form: `?type=run.` names a family
  if (type?.endsWith('.')) {
    family = type.slice(0, -1);
    type = undefined;
  }
  const agent = field('agent');
  const run = field('run');
  const heartbeats = query.get('heartbeats') === 'show';
  const [agents, status] = await Promise.all([listAgents(deps), chain.current()]);
  const agentId = agent ? (agents.find(({ agent: a }) => a.id === agent || a.name === agent)?.agent.id ?? agent) : undefined;
  const page = await pageEvents(deps, { family, type, agentId, runId: run, heartbeats }, query.get('cursor') ?? undefined, PER_PAGE);
  const names = new Map(agents.map(({ agent: a }) => [a.id, a.name]));
  const who = (id: string) => (names.has(id) ? html`${names.get(id)} <code class="id">${id}</code>` : id);
  const { report } = status;
  const controls = html`<form class="filters" method="get" action="/events" role="search" aria-label="Filter events">
<label>Family <select name="family"><option value="">all</option>${EVENT_CONCEPTS.map((c) => html`<option value="${c}"${c === family ? html` selected` : ''}>${c}</option>`)}</select></label>
<label>Type <input name="type" list="event-types" value="${type ?? ''}" size="20" placeholder="run.completed"></label>
<datalist id="event-types">${EVENT_TYPES.map((t) => html`<option value="${t}">`)}</datalist>
<label>Agent <input name="agent" value="${agent ?? ''}" size="14" placeholder="name or id"></label>
<label>Run <input name="run" value="${run ?? ''}" size="16" placeholder="run_…"></label>
<label class="check"><input type="checkbox" name="heartbeats" value="show"${heartbeats ? html` checked` : ''}> heartbeats</label>
<button type="submit">Filter</button> <a href="/events">Clear</a>
</form>`;
  const events = page.items;
  const body = html`<p class="chain" data-chain="${report.ok ? 'ok' : 'broken'}">${report.ok ? badge('chain verified', 'completed') : badge('chain broken', 'failed')}
<span class="meta">${report.events} event(s) checked through seq ${report.lastSeq}${status.behind ? `, ${status.behind} newer not yet checked` : ''}${report.firstBroken ? html` · first broken at seq ${report.firstBroken.seq}: ${report.firstBroken.reason}` : ''}</span></p>
${pager({ path: '/events', query, shown: events.length, total: page.total, next: page.next, label: 'Events' })}
${events.length === 0 ? empty('No events match.') : html`<div class="table-wrap"><table class="events"><thead><tr><th scope="col">Seq</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Actor</th><th scope="col">Agent · run</th><th scope="col">Payload</th></tr></thead><tbody>${events.map(
  (e) => html`<tr data-seq="${e.seq}"><td class="num">${e.seq}</td><td>${timeTag(e.at)}</td><td><a href="/events?type=${e.type}"><code>${e.type}</code></a></td>
<td class="wrap">${e.actor.startsWith('agt_') ? who(e.actor) : e.actor}</td>
<td class="wrap">${e.agentId ? html`<a href="/events?agent=${e.agentId}">${names.get(e.agentId) ?? e.agentId}</a>` : ''}${e.agentId && e.runId ? html`<br>` : ''}${e.runId ? html`<a href="/runs/${e.runId}"><code class="id">${e.runId}</code></a>` : ''}</td>
<td class="payload">${payloadView(e.payload)}</td></tr>`,
)}</tbody></table></div>
${page.next ? pager({ path: '/events', query, shown: events.length, total: page.total, next: page.next, label: 'Events (bottom)' }) : ''}`}`;
  return { title: 'Events', nav: 'events', controls, body };
}
