import { z } from 'zod';
import type { Actor } from '../domain/actor.js';
import { DECISIONS } from '../domain/blocker.js';
import { FleetError } from '../domain/errors.js';
import { agentId, blockerId, claimId, role, runId, shortText, text } from '../domain/inputs.js';
import { resolveBlocker } from '../services/blockers/resolve.js';
import { forceRelease } from '../services/claims/release-scope.js';
import type { Deps } from '../services/deps.js';
import { forgetStaleAgents, requeueDeadLetters } from '../services/operator/bulk.js';
import { pauseAgent, unpauseAgent } from '../services/operator/pause.js';
import { cancelRunAsOperator } from '../services/runs/cancel.js';
import { reassignRun, requeueRun } from '../services/runs/operator.js';

/**
 * Every operator action of the console: a form schema (validated here, at the edge) and one call
 * to the same service function the MCP operator tool and the CLI use. No rule lives here.
 */
interface Action<S extends z.ZodType> {
  input: S;
  run(deps: Deps, actor: Actor, input: z.infer<S>): Promise<string>;
}

const defineAction = <S extends z.ZodType>(a: Action<S>): Action<S> => a;

function checkIds(ids: string[] | undefined, schema: z.ZodType, field: string): void {
  const bad = ids?.find((id) => !schema.safeParse(id).success);
  if (bad !== undefined) throw new FleetError('INVALID_INPUT', `${field}: ${bad.slice(0, 80)} is not an id`, 'list ids separated by spaces or commas');
}

/** Empty form fields mean "not given". */
const opt = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const agentInput = z.object({ agent_id: agentId, reason: opt(shortText) });

export const ACTIONS = {
  'pause-agent': defineAction({
    input: agentInput,
    async run(deps, actor, input) {
      // the agent is told why it stopped getting work: never an empty reason
      const out = await pauseAgent(deps, actor, { ...input, reason: input.reason ?? 'paused by the operator from the console' });
      return `${out.agent.name} is paused${out.changed ? '' : ' (already was)'}`;
    },
  }),
  'resume-agent': defineAction({
    input: agentInput,
    async run(deps, actor, input) {
      const out = await unpauseAgent(deps, actor, input);
      return `${out.agent.name} is resumed${out.changed ? '' : ' (was not paused)'}`;
    },
  }),
  'requeue-run': defineAction({
    input: z.object({ run_id: runId, reason: opt(shortText) }),
    async run(deps, actor, input) {
      const run = await requeueRun(deps, actor, input);
      return `requeued ${run.id} (attempt budget ${run.maxAttempts})`;
    },
  }),
  'cancel-run': defineAction({
    input: z.object({ run_id: runId, reason: shortText.trim().min(1, 'give a reason') }),
    async run(deps, actor, input) {
      const out = await cancelRunAsOperator(deps, actor, input);
      return `cancelled ${out.run.id}`;
    },
  }),
  'reassign-run': defineAction({
    input: z.object({ run_id: runId, to_agent: opt(agentId), to_role: opt(role), reason: opt(shortText) }),
    async run(deps, actor, input) {
      const out = await reassignRun(deps, actor, input);
      return `reassigned ${out.run.id} to ${out.run.toAgent ?? `role ${out.run.toRole}`}`;
    },
  }),
  'force-release': defineAction({
    // one claim, or every claim of one agent
    input: z.object({ claim_id: opt(claimId), agent_id: opt(agentId), reason: shortText.trim().min(1) }),
    async run(deps, actor, input) {
      const target = input.claim_id !== undefined ? { claim_ids: [input.claim_id] } : { agent_id: input.agent_id };
      const out = await forceRelease(deps, actor, { ...target, reason: input.reason });
      return `force-released ${out.released.length} claim(s)`;
    },
  }),
  'resolve-blocker': defineAction({
    input: z.object({
      blocker_id: blockerId,
      decision: z.enum(DECISIONS),
      text: opt(text.trim().min(1)),
      option: opt(z.string().trim().min(1).max(200)),
      to_agent: opt(agentId),
      to_role: opt(role),
    }),
    async run(deps, actor, input) {
      // a reassign names its target; the other decisions ignore the reassign fields left on the form
      const target = input.decision === 'reassign' ? { to_agent: input.to_agent, to_role: input.to_agent ? undefined : input.to_role } : {};
      const answer = input.decision === 'answer' ? { option: input.option } : {};
      const out = await resolveBlocker(deps, actor, { blocker_id: input.blocker_id, decision: input.decision, text: input.text, ...answer, ...target });
      return `${out.blocker.id}: ${input.decision}; run ${out.run.id} ${out.effect.replace(/_/g, ' ')} (${out.run.state})`;
    },
  }),
  'requeue-dead': defineAction({
    input: z.object({ run_ids: opt(z.string().max(20_000)), reason: opt(shortText) }),
    async run(deps, actor, input) {
      const ids = input.run_ids?.split(/[\s,]+/).filter(Boolean);
      checkIds(ids, runId, 'run_ids');
      const out = await requeueDeadLetters(deps, actor, { run_ids: ids, reason: input.reason });
      return `requeued ${out.requeued.length} dead letter(s)${out.remaining ? `; ${out.remaining} left (run it again)` : ''}`;
    },
  }),
  'forget-stale-agents': defineAction({
    input: z.object({ agent_ids: opt(z.string().max(20_000)) }),
    async run(deps, actor, input) {
      const ids = input.agent_ids?.split(/[\s,]+/).filter(Boolean);
      checkIds(ids, agentId, 'agent_ids');
      const out = await forgetStaleAgents(deps, actor, { agent_ids: ids });
      return `forgot ${out.forgotten.length} stale agent(s) holding nothing${out.forgotten.length ? `: ${out.forgotten.map((a) => a.name).join(', ')}` : ''}`;
    },
  }),
} as const;

/**
 * Actions that destroy work or act on many things at once: the page asks in a dialog first, and a
 * post without `confirmed=yes` (a plain form, no script) gets a confirmation page instead of acting.
 */
export const CONFIRMED_ACTIONS: ReadonlySet<string> = new Set(['cancel-run', 'force-release', 'requeue-dead', 'forget-stale-agents']);

/** A blocker decision that needs confirming: cancelling the run. */
export function needsConfirmation(name: string, form: URLSearchParams): boolean {
  if (form.get('confirmed') === 'yes') return false;
  return CONFIRMED_ACTIONS.has(name) || (name === 'resolve-blocker' && form.get('decision') === 'cancel');
}

export type ActionName = keyof typeof ACTIONS;

export function isActionName(name: string): name is ActionName {
  return Object.hasOwn(ACTIONS, name);
}

export async function runAction(deps: Deps, actor: Actor, name: ActionName, form: URLSearchParams): Promise<string> {
  const action = ACTIONS[name] as Action<z.ZodType>;
  const fields: Record<string, string> = {};
  for (const [k, v] of form) if (k !== '_csrf' && k !== 'back' && k !== 'confirmed') fields[k] = v;
  const parsed = action.input.safeParse(fields);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'form'}: ${i.message}`).join('; ');
    throw new FleetError('INVALID_INPUT', `invalid ${name} form: ${problems}`, 'correct the form and submit again');
  }
  return action.run(deps, actor, parsed.data);
}
