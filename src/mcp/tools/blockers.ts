import { z } from 'zod';
import { BLOCKER_KINDS, BLOCKER_STATES, DECISIONS } from '../../domain/blocker.js';
import { LIMITS } from '../../domain/limits.js';
import { listBlockers } from '../../services/blockers/queries.js';
import { raiseBlocker } from '../../services/blockers/raise.js';
import { resolveBlocker } from '../../services/blockers/resolve.js';
import { agentId, artifactId, blockerId, role, runId, text } from '../schemas.js';
import { defineTool } from '../tool.js';
import { blockerOut, blockerSchema, runBriefOut, runBriefSchema } from './handoff-schemas.js';

const option = z.string().trim().min(1).max(200);

export const raiseBlockerTool = defineTool({
  name: 'raise_blocker',
  title: 'Ask for a human decision',
  description: 'Ask a person: the run is blocked and its lease waits. Then await_update with blocker_id; the decision (approve, deny, answer, redirect, reassign, pause, cancel) also arrives as a signal.',
  toolset: 'agent',
  binding: 'agent',
  input: z
    .object({
      run_id: runId,
      kind: z.enum(BLOCKER_KINDS),
      question: text.trim().min(1).describe('one clear question'),
      options: z.array(option).max(10).optional().describe('answers you can act on'),
      context: text.optional().describe('what you tried, what each option implies'),
      evidence: z.array(artifactId).max(20).optional().describe('artifact ids of this run'),
      lease_epoch: z.number().int().min(0).optional(),
    })
    .strict(),
  output: z.object({ blocker_id: z.string(), blocker: blockerSchema, run: runBriefSchema }),
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
  async run(ctx, input) {
    const out = await raiseBlocker(ctx.deps, ctx.session.requireAgent(), input);
    return {
      blocker_id: out.blocker.id,
      blocker: blockerOut(out.view),
      run: runBriefOut(out.run),
      next: `await_update with blocker_id ${out.blocker.id} (up to 110 s per call; call again while it is open)`,
    };
  },
  summarize: (o) => `raised ${o.blocker_id} (${o.blocker.kind}) on ${o.run.run_id}; the run is blocked until an operator decides`,
});

export const resolveBlockerTool = defineTool({
  name: 'resolve_blocker',
  title: 'Decide a blocker',
  description:
    'Operator: decide an open blocker. approve (text: optional note), deny (text: the reason), answer (text, or option: one of its options), ' +
    'redirect (text: new instructions) — these return the run to its owner —; reassign (to_agent or to_role) moves the run; ' +
    'pause also pauses the owner; cancel cancels the run. The owner learns the decision on its next tool result.',
  toolset: 'operator',
  binding: 'any',
  input: z
    .object({
      blocker_id: blockerId,
      decision: z.enum(DECISIONS),
      text: text.trim().min(1).optional().describe('note, reason, answer or new instructions'),
      option: option.optional().describe('answer: the chosen option'),
      to_agent: agentId.optional().describe('reassign: the agent that takes the run'),
      to_role: role.optional().describe('reassign: the role whose next taker gets the run'),
    })
    .strict(),
  output: z.object({
    blocker: blockerSchema,
    run: runBriefSchema,
    effect: z.enum(['returned_to_owner', 'requeued', 'dead_lettered', 'reassigned', 'cancelled']),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: true },
  async run(ctx, input) {
    const out = await resolveBlocker(ctx.deps, ctx.actor, input);
    return { blocker: blockerOut(out.view), run: runBriefOut(out.run), effect: out.effect };
  },
  summarize: (o) => `${o.blocker.blocker_id}: ${o.blocker.decision}; run ${o.run.run_id} ${o.effect.replace(/_/g, ' ')} (${o.run.state})`,
});

export const listBlockersTool = defineTool({
  name: 'list_blockers',
  title: 'Blockers waiting on a decision',
  description:
    'Operator: open blockers, oldest first, each with its question, options, run, owner and owner liveness (state [] for all; or resolved, obsolete). Decide with resolve_blocker.',
  toolset: 'operator',
  binding: 'any',
  input: z
    .object({
      state: z.array(z.enum(BLOCKER_STATES)).max(BLOCKER_STATES.length).optional().describe('default: open'),
      run_id: runId.optional(),
      agent_id: agentId.optional(),
      kind: z.array(z.enum(BLOCKER_KINDS)).max(BLOCKER_KINDS.length).optional(),
      limit: z.number().int().min(1).max(200).optional(),
    })
    .strict(),
  output: z.object({ blockers: z.array(blockerSchema) }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
  async run(ctx, input) {
    const views = await listBlockers(ctx.deps, {
      states: input.state && input.state.length === 0 ? [...BLOCKER_STATES] : input.state,
      run_id: input.run_id,
      agent_id: input.agent_id,
      kinds: input.kind,
      limit: input.limit ?? LIMITS.listItems,
    });
    return { blockers: views.map(blockerOut) };
  },
  summarize: (o) => `${o.blockers.filter((b) => b.state === 'open').length} open blocker(s)`,
});
