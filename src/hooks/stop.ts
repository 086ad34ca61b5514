/**
 * stop: when the session's agent still holds runs or claims as the model finishes its turn, remind
 * it to hand off, submit a result or release. The reminder is shown to the person (systemMessage);
 * with `--block-stop` the stop is refused with the reminder as the reason the model reads, once per
 * stop (Claude Code sets `stop_hook_active` when the model is already continuing because of a Stop
 * hook, and we never block twice in a row).
 */
import { OWNED_STATES } from '../domain/run.js';
import { listRuns } from '../services/runs/queries.js';
import { describeSelf } from '../services/self.js';
import type { HookAnswer } from './answer.js';
import type { HookContext } from './context.js';

export async function stop(ctx: HookContext): Promise<HookAnswer> {
  const actor = { kind: 'agent' as const, agentId: ctx.agentId };
  const owned = await listRuns(ctx.deps, actor, { owner: ctx.agentId, state: [...OWNED_STATES], limit: 6 });
  const self = await describeSelf(ctx.deps, ctx.agentId, 0);
  const claims = self.claims.total;
  if (owned.runs.length === 0 && claims === 0) return { kind: 'none' };
  const held = [
    owned.runs.length > 0 ? `run(s) ${owned.runs.slice(0, 5).map((r) => `${r.id} "${r.title}" (${r.state})`).join(', ')}` : null,
    claims > 0 ? `${claims} claim(s) (${self.claims.claims.slice(0, 5).map((v) => `\`${v.claim.pattern}\``).join(', ')})` : null,
  ]
    .filter((x) => x !== null)
    .join(' and ');
  const reason =
    `fleetdeck: agent ${self.agent.name} (${self.agent.id}) still holds ${held}. ` +
    'Before stopping: submit_result for finished work, handoff what someone else should continue, raise_blocker if you wait on a person, and release_scope claims you no longer need.';
  if (ctx.options.blockStop && !ctx.payload.stopHookActive) return { kind: 'block-stop', reason };
  return { kind: 'none', systemMessage: reason };
}
