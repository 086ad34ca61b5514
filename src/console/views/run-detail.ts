import { isTextualMediaType } from '../../domain/artifact.js';
import type { EventType, FleetEvent } from '../../domain/event.js';
import { isFinished, type Run } from '../../domain/run.js';
import { listAgents } from '../../services/agents.js';
import type { Deps } from '../../services/deps.js';
import { verifyAndRead } from '../../services/evidence/verify-read.js';
import type { Verification } from '../../services/evidence/verify.js';
import { getHandoff, type HandoffDetail } from '../../services/handoffs/queries.js';
import { runDetail } from '../../services/runs/queries.js';
import { age, bytes, timeTag } from './format.js';
import { markdown } from './markdown.js';
import { html, type Html } from './html.js';
import { actionForm, badge, empty, type PageContext, type View } from './layout.js';

const TEXT_SHOWN_BYTES = 64 * 1024;
/** evidence items verified and shown at first; `?evidence=all` shows up to EVIDENCE_ALL */
const EVIDENCE_SHOWN = 20;
const EVIDENCE_ALL = 200;
const HANDOFFS_SHOWN = 20;
/** events that start, end or move an attempt */
const ATTEMPT_EVENTS: ReadonlySet<EventType> = new Set<EventType>(['run.taken', 'run.started', 'run.retry_scheduled', 'run.requeued', 'run.reassigned', 'run.failed', 'run.completed', 'run.dead_lettered', 'run.expired', 'run.cancelled', 'run.handoff_accepted', 'run.escalated']);

/**
 * Where a run came from when another system sent it (the agentq bridge adds `external` to the run
 * detail). Read through this structural type, so the view builds whether or not the service has
 * the field yet, and shows it whenever the service fills it.
 */
export interface ExternalOrigin {
  origin: string;
  taskId: string;
  sender?: string;
  replyTo?: string | null;
}

interface EvidenceItem {
  verification: Verification | null;
  text: string | null;
}

/** One run: what it is, who holds it, its evidence (verified), handoffs, blockers, claims, attempts and timeline. */
export async function runDetailView(deps: Deps, ctx: PageContext, runId: string, query: URLSearchParams = new URLSearchParams()): Promise<View> {
  const shown = query.get('evidence') === 'all' ? EVIDENCE_ALL : EVIDENCE_SHOWN;
  const detail = await runDetail(deps, runId);
  const run = detail.run;
  const source: { run: Run; external?: ExternalOrigin | null } = detail;
  const [agents, evidence, handoffs] = await Promise.all([
    listAgents(deps),
    Promise.all(detail.evidence.slice(0, shown).map((a) => loadEvidence(deps, a.id, a.media_type, a.bytes))),
    Promise.all(detail.handoffs.slice(-HANDOFFS_SHOWN).map((h) => getHandoff(deps, h.handoff_id))),
  ]);
  const names = new Map(agents.map(({ agent }) => [agent.id, agent.name]));
  const name = (id: string | null) => (id ? (names.get(id) ?? id) : '–');
  const now = deps.clock.now();
  const handoffCards = await Promise.all(handoffs.map((h) => handoffCard(h, name, now)));
  const resultSummary = run.result ? await markdown(run.result.summary) : null;
  const open = !isFinished(run.state);

  const body = html`
<section class="run-head" aria-label="Run">
<p>${badge(run.state)} <code class="id">${run.id}</code> · ${run.type} · priority ${run.priority} · attempt ${run.attempts}/${run.maxAttempts}${run.deadReason ? html` · dead: ${run.deadReason}` : ''}${run.stateReason ? html` · ${run.stateReason}` : ''}</p>
<dl class="facts">
<dt>Target</dt><dd>${run.toAgent ? html`agent <a href="/agents#${run.toAgent}">${name(run.toAgent)}</a> <code class="id">${run.toAgent}</code>` : html`role ${run.toRole}`}</dd>
<dt>Owner</dt><dd>${run.ownerId ? html`<a href="/agents#${run.ownerId}">${name(run.ownerId)}</a> <code class="id">${run.ownerId}</code> (epoch ${run.leaseEpoch}${run.leaseExpiresAt ? html`, lease ${run.leaseExpiresAt > now ? html`until ${timeTag(run.leaseExpiresAt)}` : 'lapsed'}` : ''})` : '–'}</dd>
<dt>Submitter</dt><dd>${run.submitter.startsWith('agt_') ? name(run.submitter) : run.submitter}</dd>
<dt>Created</dt><dd>${timeTag(run.createdAt)} (${age(now - run.createdAt)} ago)</dd>
${run.finishedAt ? html`<dt>Finished</dt><dd>${timeTag(run.finishedAt)}</dd>` : ''}
${run.expectedEvidence.length ? html`<dt>Expected evidence</dt><dd>${run.expectedEvidence.join(', ')}</dd>` : ''}
${run.lastError ? html`<dt>Last error</dt><dd>${run.lastError}</dd>` : ''}
${externalFact(source.external)}
${run.parentRunId ? html`<dt>Parent</dt><dd><a href="/runs/${run.parentRunId}">${run.parentRunId}</a></dd>` : ''}
</dl>
<details${run.instructions.length < 600 ? html` open` : ''}><summary>Instructions</summary><pre class="text">${run.instructions}</pre>${run.context ? html`<h3>Context</h3><pre class="text">${run.context}</pre>` : ''}</details>
${run.result ? html`<h3>Result: ${run.result.outcome}</h3>${resultSummary}${run.result.risks.length ? html`<p class="meta">Risks: ${run.result.risks.join('; ')}</p>` : ''}` : ''}
</section>
${runActions(ctx, run, agents.map(({ agent }) => ({ id: agent.id, name: agent.name, role: agent.role })), open)}
<section aria-labelledby="h-evidence"><h2 id="h-evidence">Evidence</h2>
${detail.evidence.length > shown ? html`<p class="meta">${shown} of ${detail.evidence.length} shown · <a href="/runs/${run.id}?evidence=all#h-evidence">show ${Math.min(EVIDENCE_ALL, detail.evidence.length)}</a></p>` : ''}
${detail.evidence.length === 0 ? empty('No evidence attached.') : html`<ul class="evidence">${detail.evidence.slice(0, shown).map((a, i) => {
  const item = evidence[i]!;
  const v = item.verification;
  return html`<li id="${a.id}"><p><strong>${a.name}</strong> ${badge(a.kind, 'kind')} <span class="meta">${a.media_type} · ${bytes(a.bytes)} · by ${name(a.agent_id)} · ${a.created_at}</span></p>
<p class="meta">sha256 <code class="hash">${a.sha256}</code> ${v === null ? badge('unverified', 'stale') : v.ok ? badge('sha256 verified', 'completed') : badge(`sha256 ${v.problem ?? 'mismatch'}`, 'failed')}
 · <a href="/artifacts/${a.id}" download="${a.name}">Download bytes</a></p>
${item.text !== null ? html`<details${a.bytes < 4000 ? html` open` : ''}><summary>Text</summary><pre class="text">${item.text}</pre></details>` : ''}</li>`;
})}</ul>`}
</section>
<section aria-labelledby="h-handoffs"><h2 id="h-handoffs">Handoffs</h2>
${handoffs.length === 0 ? empty('No handoffs.') : handoffCards}
</section>
<section aria-labelledby="h-blockers"><h2 id="h-blockers">Blockers</h2>
${detail.blockers.length === 0 ? empty('No blockers.') : html`<ul class="plain">${detail.blockers.map(
  (b) => html`<li>${badge(b.state === 'open' ? 'blocked' : b.state, b.state === 'open' ? 'blocked' : 'completed')} <strong>${b.question}</strong> <span class="meta">${b.kind}${b.origin !== 'agent' ? ` (${b.origin})` : ''} · ${timeTag(b.created_at)}${b.decision ? html` · decided: ${b.decision}${b.resolution ? html` — ${b.resolution}` : ''}` : ''}</span>${b.state === 'open' ? html` <a href="/blockers#${b.blocker_id}">decide</a>` : ''}</li>`,
)}</ul>`}
</section>
<section aria-labelledby="h-claims"><h2 id="h-claims">Claims</h2>
${detail.claims.length === 0 ? empty('No active claims.') : html`<ul class="plain">${detail.claims.map(
  (c) => html`<li><code>${c.kind}</code> <code>${c.pattern}</code> ${badge(c.mode, 'kind')} <span class="meta">${c.workspace} · ${name(c.agent_id)} · until ${timeTag(c.expires_at)}</span></li>`,
)}</ul>`}
</section>
<section aria-labelledby="h-attempts"><h2 id="h-attempts">Attempts</h2>
${timelineList(detail.timeline.filter((e) => ATTEMPT_EVENTS.has(e.type)), name)}
</section>
<section aria-labelledby="h-timeline"><h2 id="h-timeline">Timeline</h2>
${detail.timelineTruncated ? html`<p class="meta">the newest 200 events</p>` : ''}
${timelineList(detail.timeline, name)}
</section>`;
  return { title: run.title, nav: 'runs', body };
}

/** The external task's id and origin, as facts of the run head ('' when the run came from no other system). */
export function externalFact(external: ExternalOrigin | null | undefined): Html {
  if (!external) return html``;
  return html`<dt>External task</dt><dd><code class="id">${external.taskId}</code> from ${external.origin}${external.sender ? html`, sent by ${external.sender}` : ''}${external.replyTo ? html` · completion to <code>${external.replyTo}</code>` : ''}</dd>`;
}

async function loadEvidence(deps: Deps, id: string, mediaType: string, size: number): Promise<EvidenceItem> {
  const textual = isTextualMediaType(mediaType) && size <= TEXT_SHOWN_BYTES;
  const out = await verifyAndRead(deps, id, textual ? TEXT_SHOWN_BYTES : 0).catch(() => null);
  return { verification: out?.verification ?? null, text: textual && out?.bytes ? out.bytes.toString('utf8') : null };
}

function runActions(ctx: PageContext, run: Run, agents: { id: string; name: string; role: string }[], open: boolean): Html {
  const canRequeue = run.state === 'dead' || run.state === 'failed' || run.state === 'cancelled';
  if (!open && !canRequeue) return html``;
  return html`<section class="actions" aria-labelledby="h-actions"><h2 id="h-actions">Actions</h2><div class="action-row">
${canRequeue ? actionForm(ctx, 'requeue-run', { run_id: run.id }, html`<label>Reason <input name="reason" value="" size="20" maxlength="500"></label> <button type="submit">Requeue</button><output class="result" aria-live="polite"></output>`, { label: 'Requeue run' }) : ''}
${open
    ? html`${actionForm(ctx, 'cancel-run', { run_id: run.id }, html`<label>Reason <input name="reason" required size="20" maxlength="500"></label> <button type="submit" class="danger" data-confirm="Cancel the run ${run.title}? Its holder stops, and its claims are released.">Cancel run</button><output class="result" aria-live="polite"></output>`, { label: 'Cancel run' })}
${actionForm(
  ctx,
  'reassign-run',
  { run_id: run.id },
  html`<label>To agent <select name="to_agent"><option value="">—</option>${agents.map((a) => html`<option value="${a.id}">${a.name} (${a.role})</option>`)}</select></label>
<label>or role <input name="to_role" size="12" maxlength="64"></label> <button type="submit">Reassign</button><output class="result" aria-live="polite"></output>`,
  { label: 'Reassign run' },
)}`
    : ''}
</div></section>`;
}

async function handoffCard(h: HandoffDetail, name: (id: string | null) => string, now: number): Promise<Html> {
  const x = h.handoff;
  const list = (title: string, items: string[]) => (items.length ? html`<h4>${title}</h4><ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` : '');
  return html`<article class="handoff" id="${x.id}"><header>${badge(x.state === 'offered' ? 'handoff_pending' : x.state, x.state === 'offered' ? 'handoff_pending' : x.state === 'accepted' ? 'completed' : 'cancelled')} <strong>${name(x.fromAgentId)}</strong> → <strong>${x.toAgentId ? name(x.toAgentId) : `role ${x.toRole}`}</strong> <span class="meta">${timeTag(x.createdAt)} · ${age(now - x.createdAt)} ago${x.reason ? html` · ${x.reason}` : ''}</span></header>
<h4>Summary</h4>${await markdown(x.summary)}
<h4>Next action</h4>${await markdown(x.nextAction)}
${list('Changed files', x.changedFiles)}
${x.failedAttempts.length ? html`<h4>Failed attempts</h4><ul>${x.failedAttempts.map((f) => html`<li><strong>${f.approach}</strong>: ${f.result}</li>`)}</ul>` : ''}
${list('Risks', x.risks)}
${list('Open questions', x.openQuestions)}
${h.evidence.length ? html`<h4>Evidence</h4><ul>${h.evidence.map((a) => html`<li><a href="#${a.id}">${a.name}</a> (${a.kind})</li>`)}</ul>` : ''}
</article>`;
}

export function timelineList(events: FleetEvent[], name: (id: string | null) => string): Html {
  if (events.length === 0) return empty('Nothing yet.');
  return html`<ol class="timeline">${events.map(
    (e) => html`<li>${timeTag(e.at)} <code>${e.type}</code> <span class="meta">${e.actor.startsWith('agt_') ? name(e.actor) : e.actor}${summarizePayload(e.payload)}</span></li>`,
  )}</ol>`;
}

function summarizePayload(payload: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(payload)) {
    if (v === null || v === undefined || typeof v === 'object') continue;
    parts.push(`${k}: ${String(v).slice(0, 80)}`);
    if (parts.length >= 4) break;
  }
  return parts.length ? ` · ${parts.join(', ')}` : '';
}

