import { z } from 'zod';
import { LIMITS } from '../domain/limits.js';
import { SIGNAL_KINDS, type Signal } from '../domain/signal.js';

/** Shared pieces of the tool schemas, so bounds and id shapes are written once. */
export const idOf = (prefix: string) =>
  z
    .string()
    .max(LIMITS.id)
    .regex(new RegExp(`^${prefix}_[0-9a-z]+$`), `must look like ${prefix}_…`);

export const agentId = idOf('agt');
export const runId = idOf('run');
export const claimId = idOf('clm');
export const handoffId = idOf('hof');
export const blockerId = idOf('blk');
export const artifactId = idOf('art');

export const shortText = z.string().max(LIMITS.shortText);
export const text = z.string().max(LIMITS.text);
export const longText = z.string().max(LIMITS.longText);
export const name = z.string().trim().min(1).max(LIMITS.name);
export const role = z
  .string()
  .trim()
  .min(1)
  .max(LIMITS.role)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits, . _ : - (e.g. implementer, reviewer)');
export const isoTime = z.string().describe('ISO 8601 time');

export const signalSchema = z.object({
  id: z.number().int(),
  kind: z.enum(SIGNAL_KINDS),
  run_id: z.string().nullable(),
  subject_id: z.string().nullable(),
  message: z.string(),
  payload: z.record(z.string(), z.unknown()),
  at: isoTime,
});

export function signalOut(s: Signal): z.infer<typeof signalSchema> {
  return {
    id: s.id,
    kind: s.kind,
    run_id: s.runId,
    subject_id: s.subjectId,
    message: s.message,
    payload: s.payload,
    at: iso(s.createdAt),
  };
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export const errorSchema = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** Usage an agent reports (tokens and cost since its last report); added to its totals. */
export const usageInput = z
  .object({
    tokens_in: z.number().int().min(0).max(1e12).optional(),
    tokens_out: z.number().int().min(0).max(1e12).optional(),
    cost_usd: z.number().min(0).max(1e6).optional(),
  })
  .strict();
