import { z } from 'zod';
import { ARTIFACT_KIND_MAX, ARTIFACT_KIND_PATTERN } from '../domain/artifact.js';
import { COMPLETION_STATUSES, type Completion } from '../domain/external-task.js';
import { LIMITS } from '../domain/limits.js';
import { MAX_TTL_SECONDS } from '../domain/run.js';
import type { ExternalTaskInput } from '../services/external-tasks/intake.js';
import { TARGET_PATTERN } from './topology.js';

/**
 * The agentq task envelope (the seed's shape), validated at the edge. Unknown fields are allowed
 * and ignored, so a sender on a newer agentq is not refused for what it adds.
 */
export const ORIGIN = 'agentq';
export const MAX_ENVELOPE_BYTES = 256 * 1024;

// no control characters (they would end up in logs, headers and queue names)
// eslint-disable-next-line no-control-regex
const PRINTABLE = /^[^\u0000-\u001f\u007f]+$/;
export const PRIORITIES = ['low', 'normal', 'high'] as const;
export type EnvelopePriority = (typeof PRIORITIES)[number];

/** fleetdeck priorities (higher is taken first) and RabbitMQ message priorities (0..10) */
export const RUN_PRIORITY: Record<EnvelopePriority, number> = { low: -10, normal: 0, high: 10 };
export const MESSAGE_PRIORITY: Record<EnvelopePriority, number> = { low: 1, normal: 5, high: 9 };

export const envelopeSchema = z
  .object({
    task_id: z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
    from: z.string().min(1).max(128).regex(PRINTABLE, 'no control characters'),
    to: z.string().regex(TARGET_PATTERN, 'a worker target: letters, digits, . _ - (at most 64)'),
    type: z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/, 'a lower-case word of at most 64 characters'),
    priority: z.enum(PRIORITIES).default('normal'),
    ttl_seconds: z.number().int().min(1).max(MAX_TTL_SECONDS).nullable().optional(),
    reply_to: z.string().min(1).max(255).regex(PRINTABLE, 'no control characters').nullable().optional(),
    context_ref: z.string().min(1).max(2048).regex(PRINTABLE, 'no control characters').nullable().optional(),
    instructions: z.string().max(LIMITS.longText).default(''),
    title: z.string().max(LIMITS.shortText).optional(),
    expected_output: z
      .object({
        artifacts: z
          .array(z.string().max(ARTIFACT_KIND_MAX).regex(ARTIFACT_KIND_PATTERN, 'an evidence kind: lower-case words joined by - _ or .'))
          .max(20)
          .default([]),
      })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough()
  .refine((e) => e.instructions.trim() !== '' || (e.context_ref ?? null) !== null, { message: 'give instructions or a context_ref', path: ['instructions'] });

export type Envelope = z.infer<typeof envelopeSchema>;

export type ParsedEnvelope = { ok: true; envelope: Envelope } | { ok: false; reason: string; taskId: string | null };

/** Parses one message body; a refusal names every problem, and the task id when one was readable. */
export function parseEnvelope(body: Buffer): ParsedEnvelope {
  if (body.length > MAX_ENVELOPE_BYTES) return { ok: false, reason: `envelope is ${body.length} bytes; the limit is ${MAX_ENVELOPE_BYTES}`, taskId: null };
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}`, taskId: null };
  }
  const taskId = typeof (json as { task_id?: unknown })?.task_id === 'string' ? ((json as { task_id: string }).task_id.slice(0, 128) || null) : null;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, reason: 'an envelope is a JSON object', taskId: null };
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(envelope)'}: ${i.message}`).join('; ');
    return { ok: false, reason: `invalid envelope: ${reason}`.slice(0, LIMITS.text), taskId };
  }
  return { ok: true, envelope: parsed.data };
}

/**
 * The run an envelope asks for. `ttlSeconds` counts from when the task was published when the
 * message carries a timestamp (time spent waiting in RabbitMQ counts), at least one second.
 */
export function taskInputOf(e: Envelope, ageSeconds: number): ExternalTaskInput {
  const firstLine = e.instructions.split('\n').find((l) => l.trim() !== '')?.replace(/^#+\s*/, '').trim();
  const title = (e.title?.trim() || firstLine || `${e.type} task ${e.task_id}`).slice(0, LIMITS.shortText);
  const ttl = e.ttl_seconds ?? null;
  return {
    origin: ORIGIN,
    taskId: e.task_id,
    sender: e.from,
    target: e.to,
    replyTo: e.reply_to ?? null,
    type: e.type,
    title,
    instructions: e.instructions.trim() === '' ? `Do the ${e.type} task ${e.task_id} described in its context (${e.context_ref}).` : e.instructions,
    priority: RUN_PRIORITY[e.priority],
    ttlSeconds: ttl === null ? null : Math.max(1, Math.ceil(ttl - Math.max(0, ageSeconds))),
    expectedEvidence: [...new Set(e.expected_output?.artifacts ?? [])],
    contextRef: e.context_ref ?? null,
  };
}

/** The completion message published to `reply_to`: agentq's fields first, fleetdeck's after. */
export interface CompletionMessage {
  task_id: string;
  from: string;
  to: string;
  status: (typeof COMPLETION_STATUSES)[number];
  result_ref: string;
  summary: string;
  run_id: string;
  by: string | null;
  dead_reason: string | null;
  evidence: string[];
  attempts: number;
  finished_at: string;
}

export function completionMessage(c: Completion): CompletionMessage {
  return {
    task_id: c.taskId,
    from: c.from,
    to: c.to,
    status: c.status,
    result_ref: c.resultRef,
    summary: c.summary,
    run_id: c.runId,
    by: c.by,
    dead_reason: c.deadReason,
    evidence: c.evidence,
    attempts: c.attempts,
    finished_at: new Date(c.finishedAt).toISOString(),
  };
}
