import { fleetOverview } from '../../services/overview.js';
import { triage } from '../../services/operator/triage.js';
import { queueStats } from '../../services/runs/queue-stats.js';
import type { Deps } from '../../services/deps.js';
import { age, stateLabel } from './format.js';
import { html } from './html.js';
import { badge, empty, type View } from './layout.js';

/** The whole fleet at a glance, and everything that waits on a person, oldest first. */
export async function overviewView(deps: Deps): Promise<View> {
  const [o, t, q] = await Promise.all([fleetOverview(deps), triage(deps, 20), queueStats(deps)]);
  const runStates = Object.entries(o.runs) as [string, number][];
  const body = html`
<section class="cards" aria-label="Fleet figures">
  <a class="card" href="/agents"><span class="figure">${o.agents.active}</span><span class="label">active agents</span><span class="sub">${o.agents.stale} stale · ${o.agents.paused} paused</span></a>
  <a class="card" href="/queue"><span class="figure">${q.queued_total}</span><span class="label">queued</span><span class="sub">oldest ${age(q.oldest_queued_age_ms)}</span></a>
  <a class="card" href="/blockers"><span class="figure">${o.waiting.open_blockers}</span><span class="label">open blockers</span><span class="sub">${o.waiting.oldest_blocker_at ? html`oldest ${age(t.now - Date.parse(o.waiting.oldest_blocker_at))}` : 'none waiting'}</span></a>
  <a class="card" href="/runs?state=dead"><span class="figure">${o.runs.dead}</span><span class="label">dead letters</span><span class="sub">requeue them on the Runs board</span></a>
  <a class="card" href="/claims"><span class="figure">${o.claims.active}</span><span class="label">active claims</span><span class="sub">${o.waiting.open_handoffs} open handoff(s)</span></a>
</section>
<div class="grid2">
<section aria-labelledby="h-roles"><h2 id="h-roles">Agents by role</h2>
${o.agents.by_role.length === 0 ? empty('No agent has registered yet.') : html`<table><thead><tr><th scope="col">Role</th><th scope="col">Active</th><th scope="col">Stale</th></tr></thead><tbody>${o.agents.by_role.map(
  (r) => html`<tr><td>${r.role}</td><td>${r.active}</td><td>${r.stale}</td></tr>`,
)}</tbody></table>`}
</section>
<section aria-labelledby="h-runs"><h2 id="h-runs">Open runs by state</h2>
<table><thead><tr><th scope="col">State</th><th scope="col">Runs</th></tr></thead><tbody>${runStates.map(
  ([s, n]) => html`<tr><td><a href="/runs?state=${s}">${stateLabel(s)}</a></td><td>${n}</td></tr>`,
)}</tbody></table>
</section>
</div>
<section aria-labelledby="h-wait"><h2 id="h-wait">Waiting on a decision</h2>
${
  t.blockers.length + t.agingHandoffs.length + t.staleAgents.length === 0
    ? empty('Nothing waits on a person.')
    : html`<ul class="waiting">
${t.blockers.map(
  (b) => html`<li>${badge('blocker', 'blocked')} <a href="/blockers#${b.blocker.id}">${b.blocker.question}</a> <span class="meta">${b.blocker.kind} · run <a href="/runs/${b.blocker.runId}">${b.run?.title ?? b.blocker.runId}</a> · ${b.agent.name ?? b.agent.agentId} · waiting ${age(b.ageMs)}</span></li>`,
)}
${t.agingHandoffs.map(
  (h) => html`<li>${badge('handoff', 'handoff_pending')} <a href="/runs/${h.runId}">${h.summary}</a> <span class="meta">to ${h.toAgentId ?? `role ${h.toRole}`} · offered ${age(h.ageMs)} ago</span></li>`,
)}
${t.staleAgents.map(
  (a) => html`<li>${badge('stale')} <a href="/agents#${a.agentId}">${a.name}</a> <span class="meta">${a.role} · silent ${age(t.now - a.lastSeenAt)}${a.runs.length ? html` · still holds ${a.runs.map((r) => html`<a href="/runs/${r}">${r}</a> `)}` : ''}</span></li>`,
)}
</ul>`
}
</section>`;
  return { title: 'Overview', nav: 'overview', body };
}
