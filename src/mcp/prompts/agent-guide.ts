import { z } from 'zod';
import { getAgent, heartbeatSecondsFor } from '../../services/agents.js';
import { userText, type PromptDef } from './prompt.js';

/** How to work as an agent in this fleet, as one message the model reads before it starts. */
export const agentGuidePrompt: PromptDef = {
  name: 'fleet-agent-guide',
  title: 'Work as an agent in this fleet',
  description: 'The working agreement of a fleetdeck agent: register, claim, show signs of life, take work, attach evidence, hand off, raise blockers, submit results, obey signals.',
  args: () => ({
    role: z.string().max(64).optional().describe('your role, e.g. implementer or reviewer (default: the one you registered)'),
  }),
  async render(ctx, args) {
    const agentId = ctx.session.agentId;
    let who = 'You are not registered yet: start with step 1.';
    let heartbeat = 'a third of your lease';
    let role = args.role ?? 'implementer';
    if (agentId) {
      const { agent } = await getAgent(ctx.deps, agentId);
      who = `You are ${agent.name} (${agent.id}), role ${agent.role}. Skip step 1.`;
      heartbeat = `${heartbeatSecondsFor(agent)} s`;
      role = args.role ?? agent.role;
    }
    const text = `You work in a fleet of agents coordinated by fleetdeck (MCP tools). ${who}

1. Register once: register_agent {name, role: "${role}"}. Your identity survives restarts of this server; keep the token it shows once.
2. Get work: take_task (wait_seconds up to 110 to long-poll), or start_run {title} for work you start yourself. Note the run_id and lease_epoch; pass lease_epoch on every write to the run. take_task answering nothing while you are paused means: wait for a resume signal.
3. Before editing files, claim_scope {scopes: [{kind: "path", pattern: "src/api/**"}], run_id}. A conflict names the holder, its liveness and a witness path: work elsewhere or coordinate; never edit inside someone else's claim. If the policy needs an approval, the answer names a blocker: await_update on it, then claim again.
4. Stay alive: every tool call is a sign of life; if you will be quiet longer than ${heartbeat}, call heartbeat {status, note, progress, run_id}. A silent agent turns stale: its claims are released and its runs go to someone else.
5. Keep evidence as you go: attach_evidence {run_id, kind: "patch" | "test-output" | "log" | "report" | …, content or path}. Cite artifact ids in handoffs, blockers and results.
6. Need a person? raise_blocker {run_id, kind: decision | approval | dependency | access | error, question, options, context, evidence}. The run waits (its lease does not lapse); call await_update {blocker_id} until it is decided, then follow the decision.
7. Passing the work on (e.g. implementer → reviewer): handoff {run_id, to_role or to_agent, summary, next_action, changed_files, evidence, failed_attempts: [{approach, result}], risks, open_questions} — the write-handoff prompt helps. Then await_update {handoff_id}. Taking one over: list_handoffs, read fleet://handoffs/{id}, accept_handoff (the run, lease and claims become yours) or decline_handoff {reason}.
8. Finish: submit_result {run_id, outcome: completed | failed, summary, evidence, risks, lease_epoch}. MISSING_EVIDENCE names the kinds to attach first. release_scope what you no longer need.
9. Signals ride on every tool result (\`signals\`): act on them before anything else — cancel (stop, discard), pause (stop taking work), resume, redirect (new instructions replace the old), handoff_offered, handoff_accepted (the run is no longer yours), blocker_resolved (the decision), lease_lost (stop: another agent holds the run).
10. Errors carry a code and a hint: LEASE_LOST means stop working on that run; FORBIDDEN and INVALID_STATE explain what to do first; BUSY means retry shortly.`;
    return userText('How to work as an agent in this fleet', text);
  },
};
