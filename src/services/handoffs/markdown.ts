/**
 * fleet://handoffs/{handoff_id} as Markdown: what a reviewer (person or agent) reads first, in the
 * order they need it — what state the handoff is in, what to do next, what changed, what failed,
 * the risks and open questions, and links to the evidence. Pure: takes what services loaded.
 */
import { iso } from '../../domain/time.js';
import type { HandoffDetail } from './steps/view.js';

export function renderHandoffMarkdown(d: HandoffDetail): string {
  const h = d.handoff;
  const from = d.from.name ? `${d.from.name} (\`${h.fromAgentId}\`${d.from.role ? `, ${d.from.role}` : ''})` : `\`${h.fromAgentId}\``;
  const to = h.toAgentId ? (d.to.name ? `${d.to.name} (\`${h.toAgentId}\`)` : `\`${h.toAgentId}\``) : `any agent of role **${h.toRole}**`;
  const out: string[] = [];
  out.push(`# Handoff ${h.id}: ${oneLine(d.run?.title ?? h.runId)}`);
  out.push('');
  out.push(`- **State:** ${stateLine(d)}`);
  out.push(`- **Run:** [\`${h.runId}\`](fleet://runs/${h.runId})${d.run ? ` (${d.run.type}, ${d.run.state}, lease epoch ${d.run.leaseEpoch})` : ''}`);
  out.push(`- **From:** ${from}`);
  out.push(`- **To:** ${to}`);
  out.push(`- **Offered:** ${iso(h.createdAt)}${h.decidedAt !== null ? ` · **Decided:** ${iso(h.decidedAt)}` : ` · waiting ${age(d.ageMs)}`}`);
  out.push('');
  out.push('## Summary', '', h.summary.trim(), '');
  out.push('## Next action', '', h.nextAction.trim(), '');
  if (h.changedFiles.length > 0) {
    out.push(`## Changed files (${h.changedFiles.length})`, '');
    for (const f of h.changedFiles) out.push(`- \`${f.replace(/`/g, "'")}\``);
    out.push('');
  }
  if (h.failedAttempts.length > 0) {
    out.push('## Tried and failed', '');
    out.push('| approach | result |', '|---|---|');
    for (const a of h.failedAttempts) out.push(`| ${cell(a.approach)} | ${cell(a.result)} |`);
    out.push('');
  }
  if (h.risks.length > 0) {
    out.push('## Risks', '');
    for (const r of h.risks) out.push(`- ${oneLine(r)}`);
    out.push('');
  }
  if (h.openQuestions.length > 0) {
    out.push('## Open questions', '');
    for (const q of h.openQuestions) out.push(`- ${oneLine(q)}`);
    out.push('');
  }
  out.push('## Evidence', '');
  if (h.evidence.length === 0) out.push('_none cited_');
  for (const id of h.evidence) {
    const a = d.evidence.find((e) => e.id === id);
    out.push(a ? `- [${a.kind}: ${a.name}](${a.uri}) — ${a.media_type}, ${a.bytes} bytes, sha256 \`${a.sha256.slice(0, 12)}…\`` : `- \`${id}\` (not found)`);
  }
  out.push('');
  if (d.chain.length > 1) {
    out.push('## Chain of handoffs of this run', '');
    for (const c of d.chain) {
      const mark = c.id === h.id ? ' ← this one' : '';
      out.push(`1. [${c.id}](fleet://handoffs/${c.id}) ${c.fromAgentId} → ${c.toAgentId ?? `role ${c.toRole}`}: ${c.state}${mark}`);
    }
    out.push('');
  }
  if (h.state === 'offered') {
    out.push('---', `To take it: \`accept_handoff\` with \`handoff_id: "${h.id}"\` (the run, its lease and its claims become yours), or \`decline_handoff\` with a reason.`);
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function stateLine(d: HandoffDetail): string {
  const h = d.handoff;
  const by = h.decidedBy ? (d.decidedByName ? `${d.decidedByName} (\`${h.decidedBy}\`)` : `\`${h.decidedBy}\``) : null;
  switch (h.state) {
    case 'offered':
      return '**offered**, waiting for its target';
    case 'accepted':
      return `**accepted** by ${by}`;
    case 'declined':
      return `**declined** by ${by}: ${oneLine(h.reason ?? '')}`;
    case 'withdrawn':
      return `**withdrawn** (${oneLine(h.reason ?? '')})`;
  }
}


function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}
