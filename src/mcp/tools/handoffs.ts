import { z } from 'zod';
import { HANDOFF_STATES } from '../../domain/handoff.js';
import { LIMITS } from '../../domain/limits.js';
import type { NotReceived } from '../../services/claims/steps/handover.js';
import { acceptHandoff, declineHandoff, withdrawHandoff } from '../../services/handoffs/decide.js';
import { offerHandoff } from '../../services/handoffs/offer.js';
import { listHandoffs } from '../../services/handoffs/queries.js';
import { agentId, artifactId, handoffId, role, runId, shortText, text } from '../schemas.js';
import { defineTool } from '../tool.js';
import { handoffOut, handoffSchema, runBriefOut, runBriefSchema } from './handoff-schemas.js';

const leaseEpoch = z.number().int().min(0).describe('the lease_epoch you hold');
const item = z.string().trim().min(1).max(LIMITS.shortText);

export const handoffTool = defineTool({
  name: 'handoff',
  title: 'Hand off your run',
  description: 'Offer your run to to_agent or to_role (first to accept wins) with a structured record. It waits in handoff_pending (yours, not finishable) until accepted (run, lease and claims move), declined or withdrawn.',
  toolset: 'agent',
  binding: 'agent',
  input: z
    .object({
      run_id: runId,
      to_agent: agentId.optional(),
      to_role: role.optional(),
      summary: text.trim().min(1).describe('what was done, where it stands'),
      next_action: text.trim().min(1),
      changed_files: z.array(z.string().trim().min(1).max(LIMITS.pattern)).max(LIMITS.listItems).optional(),
      evidence: z.array(artifactId).max(LIMITS.listItems).optional().describe('artifact ids of this run'),
      failed_attempts: z
        .array(z.object({ approach: item, result: item }).strict())
        .max(20)
        .optional()
        .describe('what was tried and did not work'),
      risks: z.array(item).max(20).optional(),
      open_questions: z.array(item).max(20).optional(),
      lease_epoch: leaseEpoch.optional(),
    })
    .strict(),
  output: z.object({ handoff_id: z.string(), state: z.enum(HANDOFF_STATES), handoff: handoffSchema, run: runBriefSchema, notified: z.number() }),
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
  async run(ctx, input) {
    const out = await offerHandoff(ctx.deps, ctx.session.requireAgent(), input);
    return {
      handoff_id: out.handoff.id,
      state: out.handoff.state,
      handoff: handoffOut(out.view),
      run: runBriefOut(out.run),
      notified: out.notified,
      next:
        out.notified === 0 && out.handoff.toRole
          ? `no active agent of role ${out.handoff.toRole} right now: it waits until one accepts (await_update with handoff_id ${out.handoff.id}; withdraw_handoff to take it back)`
          : `wait for the taker: await_update with handoff_id ${out.handoff.id} (withdraw_handoff to take it back)`,
    };
  },
  summarize: (o) => `offered ${o.run.run_id} as ${o.handoff_id} to ${o.handoff.to_agent_id ?? `role ${o.handoff.to_role}`} (${o.notified} notified)`,
});

const decisionOutput = z.object({ handoff: handoffSchema, run: runBriefSchema, claims: z.array(z.string()).describe('claims that moved to you') });

const notReceivedSchema = z
  .array(
    z.object({
      claim_id: z.string(),
      kind: z.string(),
      pattern: z.string(),
      mode: z.string(),
      reason: z.enum(['conflict', 'undecided']),
      conflicts_with: z.array(z.object({ claim_id: z.string(), agent_id: z.string(), pattern: z.string(), witness: z.string() })),
    }),
  )
  .describe('claims released, not moved (they overlap scopes others keep): claim_scope them again');

export const acceptHandoffTool = defineTool({
  name: 'accept_handoff',
  title: 'Take over a handed-off run',
  description: 'Take over a handoff to you or your role (first taker wins): run, new lease and claims (except not_received) become yours. Continue from next_action with the new lease_epoch.',
  toolset: 'agent',
  binding: 'agent',
  input: z.object({ handoff_id: handoffId }).strict(),
  output: decisionOutput.extend({ not_received: notReceivedSchema }),
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
  async run(ctx, input) {
    const out = await acceptHandoff(ctx.deps, ctx.session.requireAgent(), input.handoff_id);
    return {
      handoff: handoffOut(out.view),
      run: runBriefOut(out.run),
      claims: out.claims,
      not_received: out.notReceived.map((n) => ({
        claim_id: n.claim.id,
        kind: n.claim.kind,
        pattern: n.claim.pattern,
        mode: n.claim.mode,
        reason: n.reason,
        conflicts_with: n.conflicts.map((c) => ({ claim_id: c.claim.id, agent_id: c.holder.agentId, pattern: c.claim.pattern, witness: c.witness })),
      })),
      next: `the run is yours (lease_epoch ${out.run.leaseEpoch}): ${notReceivedNote(out.notReceived)}${out.handoff.nextAction.slice(0, 300)}`,
    };
  },
  summarize: (o) =>
    `accepted ${o.handoff.handoff_id}: run ${o.run.run_id} is yours (epoch ${o.run.lease_epoch}, ${o.claims.length} claim(s)${o.not_received.length > 0 ? `, ${o.not_received.length} not received` : ''})`,
});

/** The hint's first step when some claims did not move: the taker must claim them itself. */
function notReceivedNote(notReceived: NotReceived[]): string {
  if (notReceived.length === 0) return '';
  const shown = notReceived.slice(0, 5).map((n) => `${n.claim.kind} ${n.claim.pattern} (${n.claim.mode})`).join(', ');
  const more = notReceived.length > 5 ? ` and ${notReceived.length - 5} more` : '';
  return `first claim_scope again what you did not receive: ${shown}${more} (see not_received: it overlaps scopes others keep). Then `;
}

export const declineHandoffTool = defineTool({
  name: 'decline_handoff',
  title: 'Decline a handoff',
  description: 'Decline a handoff offered to you or your role, with a reason; the run returns to its offerer.',
  toolset: 'agent',
  binding: 'agent',
  input: z.object({ handoff_id: handoffId, reason: shortText.trim().min(1) }).strict(),
  output: decisionOutput,
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
  async run(ctx, input) {
    const out = await declineHandoff(ctx.deps, ctx.session.requireAgent(), input.handoff_id, input.reason);
    return { handoff: handoffOut(out.view), run: runBriefOut(out.run), claims: [] };
  },
  summarize: (o) => `declined ${o.handoff.handoff_id}; run ${o.run.run_id} is back with ${o.run.owner_id}`,
});

export const withdrawHandoffTool = defineTool({
  name: 'withdraw_handoff',
  title: 'Withdraw your handoff',
  description: 'Take back your handoff nobody accepted yet; the run is yours again.',
  toolset: 'agent',
  binding: 'agent',
  input: z.object({ handoff_id: handoffId, reason: shortText.optional() }).strict(),
  output: decisionOutput,
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
  async run(ctx, input) {
    const out = await withdrawHandoff(ctx.deps, ctx.session.requireAgent(), input.handoff_id, input.reason);
    return { handoff: handoffOut(out.view), run: runBriefOut(out.run), claims: [], next: 'the run is yours again: continue it, hand it off again, or submit_result' };
  },
  summarize: (o) => `withdrew ${o.handoff.handoff_id}; run ${o.run.run_id} is ${o.run.state}`,
});

export const listHandoffsTool = defineTool({
  name: 'list_handoffs',
  title: 'Open handoffs',
  description: 'Open handoffs, oldest first: for an agent those offered to you or your role (to_me: false for all); for the operator all. Accept one with accept_handoff.',
  toolset: 'agent',
  binding: 'any',
  input: z
    .object({
      state: z.array(z.enum(HANDOFF_STATES)).max(HANDOFF_STATES.length).optional().describe('default: offered'),
      run_id: runId.optional(),
      from_agent: agentId.optional(),
      to_me: z.boolean().optional().describe('default true'),
      limit: z.number().int().min(1).max(200).optional(),
    })
    .strict(),
  output: z.object({ handoffs: z.array(handoffSchema) }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
  async run(ctx, input) {
    const views = await listHandoffs(ctx.deps, ctx.actor, { states: input.state, run_id: input.run_id, from_agent: input.from_agent, to_me: input.to_me, limit: input.limit });
    const first = views[0];
    return {
      handoffs: views.map(handoffOut),
      ...(first && first.handoff.state === 'offered' && ctx.actor.kind === 'agent' ? { next: `read fleet://handoffs/${first.handoff.id}, then accept_handoff or decline_handoff` } : {}),
    };
  },
  summarize: (o) => `${o.handoffs.length} handoff(s)`,
});
