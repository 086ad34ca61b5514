import { z } from 'zod';
import { LIMITS } from '../../domain/limits.js';
import { MAX_MAX_ATTEMPTS, MAX_PRIORITY, MAX_TTL_SECONDS, ON_STALE, RUN_STATES } from '../../domain/run.js';
import { cancelTask } from '../../services/runs/cancel.js';
import { getRunView, listRuns } from '../../services/runs/queries.js';
import { submitResult } from '../../services/runs/result.js';
import { startRun, submitTask } from '../../services/runs/submit.js';
import { takeTask } from '../../services/runs/take.js';
import { agentId, artifactId, isoOrNull, longText, role, runId, shortText, text, usageInput, waitingHandoffsField, waitingHandoffsOut } from '../schemas.js';
import { defineTool } from '../tool.js';
import { artifactSummarySchema, evidenceKind } from './evidence.js';
import { cancelInput, cancelOut, cancelOutput, externalTaskOut, externalTaskSchema, runOut, runSchema, runSummaryOut, runSummarySchema } from './run-schemas.js';

const title = z.string().trim().min(1).max(LIMITS.shortText);
const runType = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9._-]*$/, 'lower-case word, e.g. implement, review, test')
  .describe('default task; e.g. implement, review');
const priority = z.number().int().min(-MAX_PRIORITY).max(MAX_PRIORITY).describe('higher first; default 0');
const maxAttempts = z.number().int().min(1).max(MAX_MAX_ATTEMPTS).describe('default 3');
const onStale = z.enum(ON_STALE).describe('if the owner goes silent; default requeue');
const expectedEvidence = z.array(evidenceKind).max(20).describe('kinds a completed result needs, e.g. ["test-output"]');
const leaseEpoch = z.number().int().min(0).describe('from take_task/start_run');

const usage = usageInput.describe('what this run cost');

export const submitTaskTool = defineTool({
  name: 'submit_task',
  title: 'Queue a task',
  description: 'Queue work for to_role (any member) or to_agent; returns at once. The outcome arrives as a run_finished signal (or get_run). A retry with the same idempotency_key returns the same run.',
  toolset: 'agent',
  binding: 'any',
  input: z
    .object({
      title,
      instructions: longText.describe('what to do, how to know it is done'),
      to_role: role.optional(),
      to_agent: agentId.optional(),
      type: runType.optional(),
      priority: priority.optional(),
      ttl_seconds: z.number().int().min(1).max(MAX_TTL_SECONDS).optional().describe('expires if not taken by then'),
      max_attempts: maxAttempts.optional(),
      idempotency_key: z.string().min(1).max(128).optional(),
      context: longText.optional(),
      context_ref: artifactId.optional().describe('an artifact holding the context'),
      expected_evidence: expectedEvidence.optional(),
      parent_run_id: runId.optional(),
      on_stale: onStale.optional(),
    })
    .strict(),
  output: z.object({ run_id: z.string(), state: z.enum(RUN_STATES), deduplicated: z.boolean(), run: runSummarySchema }),
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
  async run(ctx, input) {
    const { run, deduplicated } = await submitTask(ctx.deps, ctx.actor, input);
    return {
      run_id: run.id,
      state: run.state,
      deduplicated,
      run: runSummaryOut(run),
      next: 'carry on; a run_finished signal arrives with a later tool result (or get_run / await_update with this run_id)',
    };
  },
  summarize: (o) => `${o.deduplicated ? 'already queued' : 'queued'} ${o.run_id} (${o.state}) for ${o.run.to_agent ?? o.run.to_role}`,
});

export const takeTaskTool = defineTool({
  name: 'take_task',
  title: 'Take the next queued task',
  description: 'Lease the best queued run for you or your role (priority, then oldest) with its instructions, or run: null. wait_seconds (≤ 110) waits for one. Keep lease_epoch for submit_result.',
  toolset: 'agent',
  binding: 'agent',
  input: z.object({ wait_seconds: z.number().min(0).max(LIMITS.waitSeconds).optional().describe('long-poll seconds') }).strict(),
  output: z.object({
    run: runSchema.nullable(),
    lease_epoch: z.number().optional(),
    reason: z.enum(['empty', 'paused', 'aborted', 'handoff_waiting']).optional(),
    waiting_handoffs: waitingHandoffsField,
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
  async run(ctx, input) {
    const out = await takeTask(ctx.deps, ctx.feed, ctx.session.requireAgent(), input, ctx.signal);
    if (!out.run && out.waitingHandoffs.length > 0) {
      const first = out.waitingHandoffs[0]!;
      return {
        run: null,
        reason: 'handoff_waiting' as const,
        ...waitingHandoffsOut(out.waitingHandoffs),
        next: `nothing queued, but ${out.waitingHandoffs.length} handoff(s) wait for you: read fleet://handoffs/${first.id}, then accept_handoff (handoff_id ${first.id}) to take over run ${first.runId}`,
      };
    }
    if (!out.run) {
      return {
        run: null,
        reason: out.reason ?? 'empty',
        next: out.reason === 'paused' ? 'you are paused by the operator; wait (await_update on your run) or heartbeat until a resume signal' : 'nothing queued for you: take_task again later (wait_seconds to wait)',
      };
    }
    return {
      run: runOut(out.run),
      lease_epoch: out.run.leaseEpoch,
      next: `work on it: claim_scope (run_id ${out.run.id}) before editing, attach_evidence as you go, then submit_result with lease_epoch ${out.run.leaseEpoch}`,
    };
  },
  summarize: (o) => (o.run ? `took ${o.run.run_id} "${o.run.title}" (attempt ${o.run.attempts}/${o.run.max_attempts}, epoch ${o.lease_epoch})` : `no run (${o.reason})`),
});

export const startRunTool = defineTool({
  name: 'start_run',
  title: 'Start your own run',
  description: 'Record work you start yourself as a run leased to you, so it has an owner, claims, evidence and a result. Returns run_id and lease_epoch.',
  toolset: 'agent',
  binding: 'agent',
  input: z
    .object({
      title,
      instructions: longText.optional(),
      type: runType.optional(),
      priority: priority.optional(),
      max_attempts: maxAttempts.optional(),
      context: longText.optional(),
      expected_evidence: expectedEvidence.optional(),
      parent_run_id: runId.optional(),
      on_stale: onStale.optional(),
    })
    .strict(),
  output: z.object({ run_id: z.string(), lease_epoch: z.number(), lease_expires_at: z.string().nullable(), run: runSummarySchema }),
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
  async run(ctx, input) {
    const run = await startRun(ctx.deps, ctx.session.requireAgent(), input);
    return {
      run_id: run.id,
      lease_epoch: run.leaseEpoch,
      lease_expires_at: isoOrNull(run.leaseExpiresAt),
      run: runSummaryOut(run),
      next: `claim_scope with run_id ${run.id} before editing; submit_result when done`,
    };
  },
  summarize: (o) => `started ${o.run_id} "${o.run.title}" (epoch ${o.lease_epoch})`,
});

export const getRunTool = defineTool({
  name: 'get_run',
  title: 'Read one run',
  description: 'One run: state, owner, attempts, instructions, result, evidence list. Timeline: fleet://runs/{run_id}.',
  toolset: 'agent',
  binding: 'none',
  input: z.object({ run_id: runId }).strict(),
  output: z.object({ run: runSchema, evidence: z.array(artifactSummarySchema), external: externalTaskSchema.nullable().optional() }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
  async run(ctx, input) {
    const { run, evidence, external } = await getRunView(ctx.deps, input.run_id);
    return { run: runOut(run), evidence, external: external ? externalTaskOut(external) : null };
  },
  summarize: (o) => `${o.run.run_id} "${o.run.title}" is ${o.run.state}${o.run.owner_id ? ` (owner ${o.run.owner_id})` : ''}; ${o.evidence.length} artifact(s)`,
});

export const listRunsTool = defineTool({
  name: 'list_runs',
  title: 'List runs',
  description: 'Runs, newest first, by state, role, owner, submitter or parent (me = yourself). next_cursor pages.',
  toolset: 'agent',
  binding: 'none',
  input: z
    .object({
      state: z.array(z.enum(RUN_STATES)).max(RUN_STATES.length).optional(),
      role: role.optional(),
      owner: z.string().max(LIMITS.id).optional().describe('an agent id, or "me"'),
      submitter: z.string().max(LIMITS.name).optional().describe('an agent id, operator:NAME, or "me"'),
      parent_run_id: runId.optional(),
      limit: z.number().int().min(1).max(200).optional(),
      cursor: z.string().max(200).optional(),
    })
    .strict(),
  output: z.object({ runs: z.array(runSummarySchema), next_cursor: z.string().nullable() }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
  async run(ctx, input) {
    const page = await listRuns(ctx.deps, ctx.actor, input);
    return { runs: page.runs.map(runSummaryOut), next_cursor: page.nextCursor };
  },
  summarize: (o) => `${o.runs.length} run(s)${o.next_cursor ? '; more with cursor' : ''}`,
});

export const cancelTaskTool = defineTool({
  name: 'cancel_task',
  title: 'Cancel a task you submitted',
  description: 'Cancel a run you submitted: its holder gets a cancel signal; its claims are released.',
  toolset: 'agent',
  binding: 'any',
  input: cancelInput,
  output: cancelOutput,
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: true },
  async run(ctx, input) {
    return cancelOut(await cancelTask(ctx.deps, ctx.actor, input));
  },
  summarize: (o) => `cancelled ${o.run.run_id}${o.revoked_owner ? ` (told ${o.revoked_owner} to stop)` : ''}`,
});

export const submitResultTool = defineTool({
  name: 'submit_result',
  title: 'Submit your result',
  description: 'Close your run: outcome completed|failed, summary, evidence (artifact ids), risks. failed + retryable: true requeues with backoff while attempts remain. LEASE_LOST: the run moved on, stop. MISSING_EVIDENCE names kinds to attach first.',
  toolset: 'agent',
  binding: 'agent',
  input: z
    .object({
      run_id: runId,
      outcome: z.enum(['completed', 'failed']),
      summary: text.min(1).describe('what was done and how verified, or why it failed'),
      evidence: z.array(artifactId).max(LIMITS.listItems).optional(),
      risks: z.array(shortText).max(50).optional(),
      retryable: z.boolean().optional().describe('failed only: retry with backoff'),
      usage: usage.optional(),
      lease_epoch: leaseEpoch.optional(),
    })
    .strict(),
  output: z.object({
    run: runSummarySchema,
    accepted: z.boolean(),
    late: z.boolean().describe('accepted although your lease had lapsed (nobody had taken the run)'),
    retry_at: z.string().nullable(),
    released_claims: z.array(z.string()),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
  async run(ctx, input) {
    const out = await submitResult(ctx.deps, ctx.actor, input);
    return {
      run: runSummaryOut(out.run),
      accepted: true,
      late: out.late,
      retry_at: isoOrNull(out.retryAt),
      released_claims: out.releasedClaims,
      next: 'take_task for more work',
    };
  },
  summarize: (o) => `${o.run.run_id} is ${o.run.state}${o.late ? ' (late result accepted)' : ''}${o.retry_at ? `; retry after ${o.retry_at}` : ''}`,
});
