import { z } from 'zod';
import type { ExternalTask } from '../../domain/external-task.js';
import { DEAD_REASONS, ON_STALE, RUN_STATES, type Run } from '../../domain/run.js';
import { iso, isoOrNull, runId, shortText } from '../schemas.js';

/** A run as tools show it: compact (list_runs) or full (with instructions and context). */
export const runSummarySchema = z.object({
  run_id: z.string(),
  title: z.string(),
  type: z.string(),
  state: z.enum(RUN_STATES),
  dead_reason: z.enum(DEAD_REASONS).nullable(),
  state_reason: z.string().nullable(),
  to_role: z.string().nullable(),
  to_agent: z.string().nullable(),
  priority: z.number(),
  owner_id: z.string().nullable(),
  last_owner_id: z.string().nullable(),
  lease_epoch: z.number(),
  lease_expires_at: z.string().nullable(),
  attempts: z.number(),
  max_attempts: z.number(),
  available_at: z.string(),
  expires_at: z.string().nullable(),
  submitter: z.string(),
  parent_run_id: z.string().nullable(),
  expected_evidence: z.array(z.string()),
  on_stale: z.enum(ON_STALE),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  result: z
    .object({
      outcome: z.enum(['completed', 'failed']),
      summary: z.string(),
      evidence: z.array(z.string()),
      risks: z.array(z.string()),
      by: z.string(),
      epoch: z.number(),
      at: z.string(),
    })
    .nullable()
    .describe('the latest accepted result (for a queued run: the failed attempt it retries)'),
  last_error: z.string().nullable(),
  usage: z.object({ tokens_in: z.number(), tokens_out: z.number(), cost_usd: z.number() }),
});

export const runSchema = runSummarySchema.extend({
  instructions: z.string(),
  context: z.string().nullable(),
  context_ref: z.string().nullable().describe('an artifact holding the context: read fleet://artifacts/{id}'),
  idempotency_key: z.string().nullable(),
  ttl_seconds: z.number().nullable(),
});

export function runSummaryOut(run: Run): z.infer<typeof runSummarySchema> {
  return {
    run_id: run.id,
    title: run.title,
    type: run.type,
    state: run.state,
    dead_reason: run.deadReason,
    state_reason: run.stateReason,
    to_role: run.toRole,
    to_agent: run.toAgent,
    priority: run.priority,
    owner_id: run.ownerId,
    last_owner_id: run.lastOwnerId,
    lease_epoch: run.leaseEpoch,
    lease_expires_at: isoOrNull(run.leaseExpiresAt),
    attempts: run.attempts,
    max_attempts: run.maxAttempts,
    available_at: iso(run.availableAt),
    expires_at: isoOrNull(run.expiresAt),
    submitter: run.submitter,
    parent_run_id: run.parentRunId,
    expected_evidence: run.expectedEvidence,
    on_stale: run.onStale,
    created_at: iso(run.createdAt),
    finished_at: isoOrNull(run.finishedAt),
    result: run.result ? { ...run.result, at: iso(run.result.at) } : null,
    last_error: run.lastError,
    usage: run.usage,
  };
}

/** What cancelling a run answers, whoever cancels it (cancel_task, cancel_run). */
export const cancelInput = z.object({ run_id: runId, reason: shortText.min(1) }).strict();
export const cancelOutput = z.object({ run: runSummarySchema, released_claims: z.array(z.string()), revoked_owner: z.string().nullable() });

export function cancelOut(out: { run: Run; releasedClaims: string[]; revokedOwner: string | null }): z.infer<typeof cancelOutput> {
  return { run: runSummaryOut(out.run), released_claims: out.releasedClaims, revoked_owner: out.revokedOwner };
}

export function runOut(run: Run): z.infer<typeof runSchema> {
  return {
    ...runSummaryOut(run),
    instructions: run.instructions,
    context: run.context,
    context_ref: run.contextRef,
    idempotency_key: run.idempotencyKey,
    ttl_seconds: run.ttlSeconds,
  };
}

/** Where a run came from when another system sent it (the agentq bridge): its task id and reply queue. */
export const externalTaskSchema = z
  .object({
    origin: z.string(),
    task_id: z.string(),
    from: z.string(),
    to: z.string(),
    reply_to: z.string().nullable(),
    context_ref: z.string().nullable(),
  })
  .describe('set when the run came from another system (origin agentq: a RabbitMQ task envelope); its completion goes to reply_to');

export function externalTaskOut(e: ExternalTask): z.infer<typeof externalTaskSchema> {
  return { origin: e.origin, task_id: e.taskId, from: e.sender, to: e.target, reply_to: e.replyTo, context_ref: e.contextRef };
}
