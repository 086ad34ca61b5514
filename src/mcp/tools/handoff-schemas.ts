import { z } from 'zod';
import { BLOCKER_KINDS, BLOCKER_ORIGINS, BLOCKER_STATES, DECISIONS } from '../../domain/blocker.js';
import { HANDOFF_STATES } from '../../domain/handoff.js';
import { RUN_STATES, type Run } from '../../domain/run.js';
import type { BlockerView } from '../../services/blockers/queries.js';
import type { HandoffView } from '../../services/handoffs/queries.js';
import { iso, isoOrNull } from '../schemas.js';

/** The run as a handoff or blocker result shows it: enough to act, nothing more. */
export const runBriefSchema = z.object({
  run_id: z.string(),
  title: z.string(),
  type: z.string(),
  state: z.enum(RUN_STATES),
  owner_id: z.string().nullable(),
  lease_epoch: z.number().describe('pass it as lease_epoch on your writes to this run'),
  lease_expires_at: z.string().nullable(),
});

export function runBriefOut(run: Run): z.infer<typeof runBriefSchema> {
  return {
    run_id: run.id,
    title: run.title,
    type: run.type,
    state: run.state,
    owner_id: run.ownerId,
    lease_epoch: run.leaseEpoch,
    lease_expires_at: isoOrNull(run.leaseExpiresAt),
  };
}

export const handoffSchema = z.object({
  handoff_id: z.string(),
  uri: z.string().describe('fleet://handoffs/{id}: the handoff as Markdown, with evidence links'),
  state: z.enum(HANDOFF_STATES),
  run_id: z.string(),
  run_title: z.string().nullable(),
  run_state: z.enum(RUN_STATES).nullable(),
  from_agent_id: z.string(),
  from_name: z.string().nullable(),
  to_agent_id: z.string().nullable(),
  to_role: z.string().nullable(),
  summary: z.string(),
  next_action: z.string(),
  changed_files: z.array(z.string()),
  evidence: z.array(z.string()),
  failed_attempts: z.array(z.object({ approach: z.string(), result: z.string() })),
  risks: z.array(z.string()),
  open_questions: z.array(z.string()),
  offered_at: z.string(),
  decided_at: z.string().nullable(),
  decided_by: z.string().nullable(),
  reason: z.string().nullable().describe('decline reason, or why it was withdrawn'),
  age_seconds: z.number().describe('how long it waited (so far, while offered)'),
});

export function handoffOut(v: HandoffView): z.infer<typeof handoffSchema> {
  const h = v.handoff;
  return {
    handoff_id: h.id,
    uri: `fleet://handoffs/${h.id}`,
    state: h.state,
    run_id: h.runId,
    run_title: v.run?.title ?? null,
    run_state: v.run?.state ?? null,
    from_agent_id: h.fromAgentId,
    from_name: v.from.name,
    to_agent_id: h.toAgentId,
    to_role: h.toRole,
    summary: h.summary,
    next_action: h.nextAction,
    changed_files: h.changedFiles,
    evidence: h.evidence,
    failed_attempts: h.failedAttempts,
    risks: h.risks,
    open_questions: h.openQuestions,
    offered_at: iso(h.createdAt),
    decided_at: isoOrNull(h.decidedAt),
    decided_by: h.decidedBy,
    reason: h.reason,
    age_seconds: Math.round(v.ageMs / 1000),
  };
}

export const blockerSchema = z.object({
  blocker_id: z.string(),
  state: z.enum(BLOCKER_STATES),
  kind: z.enum(BLOCKER_KINDS),
  origin: z.enum(BLOCKER_ORIGINS).describe('agent: raised by the run owner; policy: by a policy rule; escalation: the owner went silent'),
  question: z.string(),
  options: z.array(z.string()),
  context: z.string().nullable(),
  evidence: z.array(z.string()),
  policy_rule: z.string().nullable(),
  run_id: z.string(),
  run_title: z.string().nullable(),
  run_state: z.enum(RUN_STATES).nullable(),
  agent_id: z.string().describe('the run owner the blocker concerns'),
  agent_name: z.string().nullable(),
  agent_liveness: z.enum(['active', 'stale']).nullable(),
  raised_by: z.string(),
  raised_at: z.string(),
  age_seconds: z.number(),
  decision: z.enum(DECISIONS).nullable(),
  resolution: z.string().nullable().describe('the answer, reason, note or new instructions'),
  chosen_option: z.string().nullable(),
  reassigned_to: z.string().nullable(),
  resolved_by: z.string().nullable(),
  resolved_at: z.string().nullable(),
});

export function blockerOut(v: BlockerView): z.infer<typeof blockerSchema> {
  const b = v.blocker;
  return {
    blocker_id: b.id,
    state: b.state,
    kind: b.kind,
    origin: b.origin,
    question: b.question,
    options: b.options,
    context: b.context,
    evidence: b.evidence,
    policy_rule: b.policyRule,
    run_id: b.runId,
    run_title: v.run?.title ?? null,
    run_state: v.run?.state ?? null,
    agent_id: b.agentId,
    agent_name: v.agent.name,
    agent_liveness: v.agent.liveness,
    raised_by: b.raisedBy,
    raised_at: iso(b.createdAt),
    age_seconds: Math.round(v.ageMs / 1000),
    decision: b.decision,
    resolution: b.resolution,
    chosen_option: b.chosenOption,
    reassigned_to: b.reassignedTo,
    resolved_by: b.resolvedBy,
    resolved_at: isoOrNull(b.resolvedAt),
  };
}
