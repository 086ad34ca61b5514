import type { Deps } from '../../services/deps.js';
import { queueStats } from '../../services/runs/queue-stats.js';
import { listAgents } from '../../services/agents.js';
import { triedFailureRate } from '../../services/listings.js';
import { queueBreakdown } from '../read-model.js';
import { chart } from './charts.js';
import { age, percent, shortTime, stateLabel, timeTag } from './format.js';
import { html } from './html.js';
import { empty, type View } from './layout.js';

/** Queue depth by target and priority, oldest age, dead letters, and the last 24 hours as charts. */
export async function queueView(deps: Deps): Promise<View> {
  const [q, b, rate, agents] = await Promise.all([queueStats(deps), queueBreakdown(deps, 24), triedFailureRate(deps), listAgents(deps)]);
  const names = new Map(agents.map(({ agent }) => [agent.id, agent.name]));
  // `agent:agt_…` targets read as the agent's name, its id beside it
  const target = (t: string) => {
    const id = t.startsWith('agent:') ? t.slice(6) : t.startsWith('agt_') ? t : null;
    if (id) return html`agent ${names.get(id) ?? id} <code class="id">${id}</code>`;
    return t.startsWith('role:') ? html`role ${t.slice(5)}` : html`${t}`;
  };
  const open = q.depth.filter((d) => d.count > 0);
  const series = b.series;
  const from = series[0]?.at;
  const body = html`
<section class="cards" aria-label="Queue figures">
  <div class="card"><span class="figure">${q.queued_total}</span><span class="label">queued</span><span class="sub">oldest ${age(q.oldest_queued_age_ms)}</span></div>
  <div class="card"><span class="figure">${q.dead_letters.total}</span><span class="label">dead letters</span><span class="sub">${q.retries} retries · ${q.lease_expiries} lease expiries</span></div>
  <div class="card"><span class="figure">${percent(rate.rate)}</span><span class="label">failure rate</span><span class="sub">${q.finished.completed} completed · ${q.finished.failed} failed · ${rate.neverTried} expired untried, not counted</span></div>
  <div class="card"><span class="figure">${age(q.processing_ms.p50)}</span><span class="label">p50 processing</span><span class="sub">p95 ${age(q.processing_ms.p95)} · ${q.processing_ms.samples} runs</span></div>
</section>
<section aria-labelledby="h-series"><h2 id="h-series">Last 24 hours <span class="meta">(hourly, from ${shortTime(from)})</span></h2>
<div class="charts">
<figure><figcaption>Results per hour</figcaption>${chart(series.map((p) => p.completed + p.failed), { title: 'results per hour' })}</figure>
<figure><figcaption>Failure rate</figcaption>${chart(series.map((p) => (p.failureRate === null ? null : p.failureRate * 100)), { title: 'failure rate per hour, percent', kind: 'line', format: (v) => `${v.toFixed(0)}%` })}</figure>
<figure><figcaption>Mean processing time</figcaption>${chart(series.map((p) => p.meanMs), { title: 'mean processing time per hour', kind: 'line', format: (v) => age(v) })}</figure>
</div>
<details><summary>Figures as a table</summary><div class="table-wrap"><table><thead><tr><th scope="col">Hour (UTC)</th><th scope="col">Completed</th><th scope="col">Failed or dead</th><th scope="col">Failure rate</th><th scope="col">mean</th></tr></thead><tbody>${series
  .filter((p) => p.completed + p.failed > 0)
  .map((p) => html`<tr><td>${shortTime(p.at)}</td><td>${p.completed}</td><td>${p.failed}</td><td>${percent(p.failureRate)}</td><td>${age(p.meanMs)}</td></tr>`)}</tbody></table></div></details>
</section>
<div class="grid2">
<section aria-labelledby="h-prio"><h2 id="h-prio">Queued by target and priority</h2>
${b.byPriority.length === 0 ? empty('The queue is empty.') : html`<table><thead><tr><th scope="col">Target</th><th scope="col">Priority</th><th scope="col">Runs</th><th scope="col">Oldest</th></tr></thead><tbody>${b.byPriority.map(
  (g) => html`<tr><td>${target(g.target)}</td><td class="num">${g.priority}</td><td class="num">${g.count}</td><td>${age(g.oldestAgeMs)}</td></tr>`,
)}</tbody></table>${b.truncated ? html`<p class="meta">counted the newest 2000 queued runs</p>` : ''}`}
</section>
<section aria-labelledby="h-depth"><h2 id="h-depth">Open runs by role and state</h2>
${open.length === 0 ? empty('No open runs.') : html`<table><thead><tr><th scope="col">Role</th><th scope="col">State</th><th scope="col">Runs</th></tr></thead><tbody>${open.map(
  (d) => {
    // runs aimed at one agent are grouped as `agent:ID`; the board filters those by agent
    const filter = d.role.startsWith('agent:') ? `agent=${encodeURIComponent(d.role.slice(6))}` : `role=${encodeURIComponent(d.role)}`;
    return html`<tr><td>${target(d.role)}</td><td><a href="/runs?state=${d.state}&amp;${filter}">${stateLabel(d.state)}</a></td><td class="num">${d.count}</td></tr>`;
  },
)}</tbody></table>`}
</section>
</div>
<section aria-labelledby="h-dead"><h2 id="h-dead">Dead letters</h2>
${q.dead_letters.recent.length === 0 ? empty('No dead letters.') : html`<div class="table-wrap"><table><thead><tr><th scope="col">Run</th><th scope="col">Target</th><th scope="col">Reason</th><th scope="col">Attempts</th><th scope="col">Finished</th></tr></thead><tbody>${q.dead_letters.recent.map(
  (d) => html`<tr><td><a href="/runs/${d.run_id}">${d.title}</a></td><td>${target(d.target)}</td><td>${d.dead_reason ?? ''}${d.last_error ? html`<br><span class="meta">${d.last_error}</span>` : ''}</td><td>${d.attempts}/${d.max_attempts}</td><td>${timeTag(d.finished_at)}</td></tr>`,
)}</tbody></table></div>`}
</section>`;
  return { title: 'Queue', nav: 'queue', body };
}
