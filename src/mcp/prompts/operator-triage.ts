import { triage, type Triage } from '../../services/operator/triage.js';
import { userText, type PromptDef } from './prompt.js';

/** What needs an operator's decision now, rendered from one snapshot of the fleet. */
export const operatorTriagePrompt: PromptDef = {
  name: 'operator-triage',
  title: 'Operator triage: what needs a decision now',
  description: 'Open blockers (oldest first), stale agents and what they still hold, handoffs nobody took, dead letters and paused agents, with the action for each.',
  async render(ctx) {
    const t = await triage(ctx.deps);
    return userText('Operator triage', renderTriage(t));
  },
};

export function renderTriage(t: Triage): string {
  const at = new Date(t.now).toISOString();
  const out: string[] = [`Fleet triage at ${at}. Go through it in this order and decide; each item names the action.`, ''];
  out.push(`## 1. Open blockers (${t.blockers.length})`);
  if (t.blockers.length === 0) out.push('None: no agent is waiting on a person.');
  for (const v of t.blockers) {
    const b = v.blocker;
    const who = `${v.agent.name ?? b.agentId} (${b.agentId}, ${v.agent.liveness ?? 'unknown'})`;
    out.push(`- ${b.id} [${b.kind}${b.origin !== 'agent' ? `, ${b.origin}${b.policyRule ? `: ${b.policyRule}` : ''}` : ''}] waiting ${age(v.ageMs)} — run ${b.runId} "${v.run?.title ?? ''}", owner ${who}`);
    out.push(`  Q: ${oneLine(b.question)}`);
    if (b.options.length > 0) out.push(`  options: ${b.options.join(' | ')}`);
    if (b.context) out.push(`  context: ${oneLine(b.context).slice(0, 600)}`);
    if (b.evidence.length > 0) out.push(`  evidence: ${b.evidence.map((id) => `fleet://artifacts/${id}`).join(', ')}`);
    out.push(`  act: resolve_blocker {blocker_id: "${b.id}", decision: approve | deny | answer | redirect | reassign | pause | cancel} — or \`fleetdeck approve ${b.id}\`, \`fleetdeck deny ${b.id} --reason …\`, \`fleetdeck answer ${b.id} --text …\``);
  }
  out.push('', `## 2. Stale agents (${t.staleAgents.length})`);
  if (t.staleAgents.length === 0) out.push('None.');
  for (const a of t.staleAgents) {
    out.push(
      `- ${a.name} (${a.agentId}, ${a.role}) silent since ${new Date(a.lastSeenAt).toISOString()}, last heartbeat ${a.lastHeartbeatAt === null ? 'never' : new Date(a.lastHeartbeatAt).toISOString()}; still owns ${a.runs.length === 0 ? 'nothing' : a.runs.join(', ')}`,
    );
    if (a.runs.length > 0) out.push('  act: its blocked runs wait for your decision above; reassign_run or cancel_run what should not wait for it.');
  }
  out.push('', `## 3. Handoffs nobody took (${t.agingHandoffs.length} aging of ${t.openHandoffs} open)`);
  if (t.agingHandoffs.length === 0) out.push('None aging.');
  for (const h of t.agingHandoffs) {
    out.push(`- ${h.id} run ${h.runId} from ${h.fromAgentId} to ${h.toAgentId ?? `role ${h.toRole}`}, waiting ${age(h.ageMs)}: ${oneLine(h.summary).slice(0, 200)}`);
    out.push(`  act: read fleet://handoffs/${h.id}; is an agent of that role running? Start one, or reassign_run ${h.runId} after the offerer withdraws.`);
  }
  out.push('', `## 4. Dead letters (${t.deadLetters.length} most recent)`);
  if (t.deadLetters.length === 0) out.push('None.');
  for (const r of t.deadLetters) {
    out.push(`- ${r.id} "${r.title}" (${r.type}) dead: ${r.deadReason}${r.lastError ? ` — ${oneLine(r.lastError).slice(0, 200)}` : ''}, ${r.attempts} attempt(s)`);
    out.push(`  act: requeue_run {run_id: "${r.id}"} if the cause is fixed (\`fleetdeck requeue ${r.id}\`), else leave it.`);
  }
  out.push('', `## 5. Paused agents (${t.pausedAgents.length})`);
  if (t.pausedAgents.length === 0) out.push('None.');
  for (const a of t.pausedAgents) out.push(`- ${a.name} (${a.agentId}, ${a.role}): resume_agent when it may take work again (\`fleetdeck resume ${a.agentId}\`).`);
  out.push('', 'Summarise what you decided and why; every decision is recorded in the audit log.');
  return out.join('\n');
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
