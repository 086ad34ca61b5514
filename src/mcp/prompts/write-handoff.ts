import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { z } from 'zod';
import { completeRunIds, runDetail } from '../../services/runs/queries.js';
import { userText, type PromptDef } from './prompt.js';

/**
 * Helps the model write a good handoff from the run it holds: it is shown what fleetdeck knows of
 * the run (instructions, evidence ids, claims, earlier handoffs and blockers, recent events) and
 * what a reviewer needs, and asked for a handoff call with every structured field filled.
 */
export const writeHandoffPrompt: PromptDef = {
  name: 'write-handoff',
  title: 'Write a handoff for the current run',
  description: 'Drafts the `handoff` call for a run you hold: summary, next action, changed files, evidence, failed attempts, risks and open questions.',
  args: (ctx) => ({
    run_id: completable(z.string().max(64).describe('the run to hand off (run_…)'), (prefix) => completeRunIds(ctx.deps, prefix ?? '', 50)),
    to: z.string().max(64).optional().describe('a role (e.g. reviewer) or an agent id (agt_…); default: reviewer'),
  }),
  async render(ctx, args) {
    const runId = args.run_id ?? '';
    const d = await runDetail(ctx.deps, runId);
    const target = args.to ?? 'reviewer';
    const targetField = target.startsWith('agt_') ? `"to_agent": "${target}"` : `"to_role": "${target}"`;
    const events = d.timeline
      .filter((e) => e.type !== 'agent.heartbeat')
      .slice(-25)
      .map((e) => `- ${new Date(e.at).toISOString()} ${e.type} by ${e.actor}`)
      .join('\n');
    const evidence = d.evidence.map((a) => `- ${a.id}: ${a.kind} "${a.name}" (${a.bytes} bytes)`).join('\n') || '- none yet: attach_evidence first (a patch, test output)';
    const claims = d.claims.map((c) => `- ${c.kind} ${c.pattern} (${c.mode})`).join('\n') || '- none';
    const earlier = d.handoffs.map((h) => `- ${h.handoff_id} ${h.state}: ${h.summary.slice(0, 160)}`).join('\n') || '- none';
    const blockers = d.blockers.map((b) => `- ${b.blocker_id} ${b.kind} ${b.state}${b.decision ? ` → ${b.decision}` : ''}: ${b.question.slice(0, 160)}`).join('\n') || '- none';
    const text = `Write a handoff of run ${d.run.id} "${d.run.title}" (${d.run.type}, ${d.run.state}, lease epoch ${d.run.leaseEpoch}) to ${target}.

The taker has not seen your session. Give them what they need to continue without asking you:
- summary: what was done and the state the work is in now (2–5 sentences, concrete).
- next_action: the first thing they should do, precisely (a command, a file, a question to settle).
- changed_files: every file you changed (check git status / git diff --name-only).
- evidence: artifact ids from the list below that prove the state (patches, test output); attach missing ones first with attach_evidence.
- failed_attempts: each approach that did not work, as {approach, result}, so it is not repeated.
- risks: what could break, what you are unsure of.
- open_questions: what the taker or a person must decide.

What fleetdeck knows about the run:
Instructions: ${d.run.instructions || '(none)'}
Evidence attached:
${evidence}
Active claims (they move to the taker on accept):
${claims}
Earlier handoffs:
${earlier}
Blockers:
${blockers}
Recent events:
${events || '- none'}

Then call:
handoff {"run_id": "${d.run.id}", ${targetField}, "lease_epoch": ${d.run.leaseEpoch}, "summary": "…", "next_action": "…", "changed_files": […], "evidence": [${d.evidence.map((a) => `"${a.id}"`).join(', ')}], "failed_attempts": [{"approach": "…", "result": "…"}], "risks": […], "open_questions": […]}
and await_update with the handoff_id it returns.`;
    return userText(`Handoff of ${d.run.id}`, text);
  },
};
