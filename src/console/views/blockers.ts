import { listAgents } from '../../services/agents.js';
import { listBlockers, type BlockerView } from '../../services/blockers/queries.js';
import type { Deps } from '../../services/deps.js';
import { getRunView } from '../../services/runs/queries.js';
import { age, bytes, timeTag } from './format.js';
import { html, type Html } from './html.js';
import { actionForm, badge, empty, type PageContext, type View } from './layout.js';

/** The buttons of a decision, named as the operator toolset's decisions. */
const DECISION_BUTTONS = [
  ['approve', 'Approve'],
  ['deny', 'Deny'],
  ['answer', 'Answer'],
  ['redirect', 'Redirect'],
  ['reassign', 'Reassign'],
  ['pause', 'Pause'],
  ['cancel', 'Cancel'],
] as const;

/**
 * Enter in a text field submits a form through its default button, the first submit button in
 * tree order (HTML's implicit submission). A disabled default button makes implicit submission do
 * nothing, so this hidden one, first in every decision form, means Enter never decides: only a
 * click (or Space/Enter on a focused button) on a named decision does.
 */
const ENTER_GUARD = html`<button type="submit" class="enter-guard" disabled hidden aria-hidden="true" tabindex="-1"></button>`;

/** The decision queue: open blockers oldest first, each with its run and evidence at hand. */
export async function blockersView(deps: Deps, ctx: PageContext): Promise<View> {
  const [open, decided, agents] = await Promise.all([
    listBlockers(deps, { states: ['open'], limit: 100 }),
    listBlockers(deps, { states: ['resolved', 'obsolete'], limit: 20 }),
    listAgents(deps),
  ]);
  const evidence = await Promise.all(open.map((b) => getRunView(deps, b.blocker.runId).then((v) => v.evidence, () => [])));
  const agentOptions = agents.map(({ agent }) => html`<option value="${agent.id}">${agent.name} (${agent.role})</option>`);
  const body = html`
<section aria-labelledby="h-open"><h2 id="h-open">Open <span class="count">${open.length}</span></h2>
${open.length === 0 ? empty('Nothing waits on a decision.') : open.map((b, i) => decisionCard(ctx, b, evidence[i]!, agentOptions))}
</section>
<section aria-labelledby="h-decided"><h2 id="h-decided">Recently decided</h2>
${decided.length === 0 ? empty('None yet.') : html`<ul class="plain">${decided.map(
  (b) => html`<li>${badge(b.blocker.decision ?? b.blocker.state, 'completed')} ${b.blocker.question} <span class="meta">run <a href="/runs/${b.blocker.runId}">${b.run?.title ?? b.blocker.runId}</a> · ${b.blocker.resolvedBy ?? ''} · ${timeTag(b.blocker.resolvedAt)}${b.blocker.resolution ? html` · ${b.blocker.resolution}` : ''}</span></li>`,
)}</ul>`}
</section>`;
  return { title: 'Blockers', nav: 'blockers', body };
}

function decisionCard(ctx: PageContext, view: BlockerView, evidence: { id: string; name: string; kind: string; bytes: number }[], agentOptions: Html[]): Html {
  const b = view.blocker;
  const id = b.id;
  return html`<article class="blocker" id="${id}" data-blocker="${id}" aria-labelledby="q-${id}">
<header>${badge(b.kind, 'blocked')}${b.origin !== 'agent' ? html` ${badge(b.origin, 'kind')}` : ''} <span class="meta">waiting ${age(view.ageMs)} · raised ${timeTag(b.createdAt)} · by ${view.agent.name ?? view.agent.agentId} ${view.agent.liveness ? badge(view.agent.liveness) : ''}</span></header>
<h3 id="q-${id}">${b.question}</h3>
<p class="meta">Run <a href="/runs/${b.runId}">${view.run?.title ?? b.runId}</a> <code class="id">${b.runId}</code>${view.run ? html` · ${view.run.state}` : ''}</p>
${b.options.length ? html`<p>Options: ${b.options.map((o) => html`<code class="option">${o}</code> `)}</p>` : ''}
${b.context ? html`<details open><summary>Context</summary><pre class="text">${b.context}</pre></details>` : ''}
${evidence.length ? html`<p class="meta">Evidence: ${evidence.map((a) => html`<a href="/runs/${b.runId}#${a.id}">${a.name}</a> (${a.kind}, ${bytes(a.bytes)}) `)}</p>` : ''}
${actionForm(
  ctx,
  'resolve-blocker',
  { blocker_id: id },
  html`${ENTER_GUARD}<div class="decide">
<label class="grow">Text <span class="meta">(note, reason, answer or new instructions)</span><textarea name="text" rows="2" maxlength="8000"></textarea></label>
${b.options.length ? html`<label>Option <select name="option"><option value="">—</option>${b.options.map((o) => html`<option value="${o}">${o}</option>`)}</select></label>` : ''}
<label>Reassign to agent <select name="to_agent"><option value="">—</option>${agentOptions}</select></label>
<label>or role <input name="to_role" size="12" maxlength="64"></label>
</div>
<div class="buttons">${DECISION_BUTTONS.map(([value, label]) => html`<button type="submit" name="decision" value="${value}"${value === 'cancel' || value === 'deny' ? html` class="danger"` : value === 'approve' ? html` class="primary"` : ''}${value === 'cancel' ? html` data-confirm="Cancel the run ${view.run?.title ?? b.runId}? Its holder stops and its claims are released."` : ''}>${label}</button>`)}</div>
<output class="result" aria-live="polite"></output>`,
  { label: `Decide: ${b.question}`, className: 'action decision' },
)}
</article>`;
}
