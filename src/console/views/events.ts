import { EVENT_CONCEPTS, eventConcept } from '../../domain/event.js';
import { listAgents } from '../../services/agents.js';
import { listEvents } from '../../services/audit.js';
import type { Deps } from '../../services/deps.js';
import type { ChainStatus } from '../chain-status.js';
import { shortTime } from './format.js';
import { html } from './html.js';
import { badge, empty, type View } from './layout.js';

/** a type filter ending in `.` (e.g. `run.`) names a concept: every event about it */
const TYPE_FAMILIES = EVENT_CONCEPTS.map((c) => `${c}.`);

/** The audit log, newest first, filtered by type (exact or a family like `run.`), agent and run. */
export async function eventsView(deps: Deps, chain: ChainStatus, query: URLSearchParams): Promise<View> {
  const type = query.get('type')?.trim().slice(0, 64) || undefined;
  const agent = query.get('agent')?.trim().slice(0, 64) || undefined;
  const run = query.get('run')?.trim().slice(0, 64) || undefined;
  const [agents, status] = await Promise.all([listAgents(deps), chain.current()]);
  const agentId = agent ? (agents.find(({ agent: a }) => a.id === agent || a.name === agent)?.agent.id ?? agent) : undefined;
  const family = type?.endsWith('.') ? type : undefined;
  const concept = family ? EVENT_CONCEPTS.find((c) => `${c}.` === family) : undefined;
  // a family filter reads a wider window and filters it here; an exact type filters in the store
  const page = await listEvents(deps, { limit: family ? 1000 : 200, agentId, runId: run, types: type && !family ? [type] : undefined });
  const events = page.events
    .filter((e) => !family || eventConcept(e.type) === concept)
    .reverse()
    .slice(0, 200);
  const names = new Map(agents.map(({ agent: a }) => [a.id, a.name]));
  const { report } = status;
  const controls = html`<form class="filters" method="get" action="/events" role="search" aria-label="Filter events">
<label>Type <input name="type" list="event-types" value="${type ?? ''}" size="18" placeholder="run. or run.completed"></label>
<datalist id="event-types">${TYPE_FAMILIES.map((f) => html`<option value="${f}">`)}</datalist>
<label>Agent <input name="agent" value="${agent ?? ''}" size="14" placeholder="name or id"></label>
<label>Run <input name="run" value="${run ?? ''}" size="16" placeholder="run_…"></label>
<button type="submit">Filter</button> <a href="/events">Clear</a>
</form>`;
  const body = html`<p class="chain" data-chain="${report.ok ? 'ok' : 'broken'}">${report.ok ? badge('chain verified', 'completed') : badge('chain broken', 'failed')}
<span class="meta">${report.events} event(s) checked through seq ${report.lastSeq}${status.behind ? `, ${status.behind} newer not yet checked` : ''}${report.firstBroken ? html` · first broken at seq ${report.firstBroken.seq}: ${report.firstBroken.reason}` : ''}</span></p>
${events.length === 0 ? empty('No events match.') : html`<div class="table-wrap"><table class="events"><thead><tr><th scope="col">Seq</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Actor</th><th scope="col">Agent</th><th scope="col">Run</th><th scope="col">Payload</th></tr></thead><tbody>${events.map(
  (e) => html`<tr><td class="num">${e.seq}</td><td><time datetime="${new Date(e.at).toISOString()}">${shortTime(e.at)}</time></td><td><a href="/events?type=${e.type}"><code>${e.type}</code></a></td>
<td>${e.actor.startsWith('agt_') ? (names.get(e.actor) ?? e.actor) : e.actor}</td>
<td>${e.agentId ? html`<a href="/events?agent=${e.agentId}">${names.get(e.agentId) ?? e.agentId}</a>` : ''}</td>
<td>${e.runId ? html`<a href="/runs/${e.runId}">${e.runId}</a>` : ''}</td>
<td class="payload"><code>${JSON.stringify(e.payload).slice(0, 240)}</code></td></tr>`,
)}</tbody></table></div>`}`;
  return { title: 'Events', nav: 'events', controls, body };
}
