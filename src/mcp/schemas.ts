import { z } from 'zod';
import type { Handoff } from '../domain/handoff.js';
import { SIGNAL_KINDS, type Signal } from '../domain/signal.js';

/** Shared pieces of the tool schemas, so bounds and id shapes are written once (the input ones in domain/inputs.ts). */
export { agentId, artifactId, blockerId, claimId, handoffId, idOf, longText, name, role, runId, shortText, text } from '../domain/inputs.js';
export const isoTime = z.string().describe('ISO 8601 time');

export const signalSchema = z.object({
  id: z.number().int(),
  kind: z.enum(SIGNAL_KINDS),
  run_id: z.string().nullable(),
  subject_id: z.string().nullable(),
  message: z.string(),
  payload: z.record(z.string(), z.unknown()),
  at: isoTime,
  redelivered: z.boolean().optional().describe('true: sent before in a result that may not have reached you'),
  acknowledged: z.boolean().optional(),
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
    ...(s.redelivered ? { redelivered: true } : {}),
  };
}

/** A handoff that waits for the agent (offered to it or to its role): enough to accept it. */
export const waitingHandoffSchema = z.object({
  handoff_id: z.string(),
  run_id: z.string(),
  from_agent_id: z.string(),
  to: z.string().describe('your agent id, or role:<your role>'),
  summary: z.string(),
  offered_at: isoTime,
});

export function waitingHandoffOut(h: Handoff): z.infer<typeof waitingHandoffSchema> {
  return {
    handoff_id: h.id,
    run_id: h.runId,
    from_agent_id: h.fromAgentId,
    to: h.toAgentId ?? `role:${h.toRole}`,
    summary: h.summary.length > 200 ? `${h.summary.slice(0, 199)}…` : h.summary,
    offered_at: iso(h.createdAt),
  };
}

export const waitingHandoffsField = z
  .array(waitingHandoffSchema)
  .optional()
  .describe('handoffs offered to you or your role: read fleet://handoffs/{id}, then accept_handoff or decline_handoff');

/** The `waiting_handoffs` field and a `next` hint, present only when something waits. */
export function waitingHandoffsOut(handoffs: Handoff[]): { waiting_handoffs?: z.infer<typeof waitingHandoffSchema>[] } {
  return handoffs.length > 0 ? { waiting_handoffs: handoffs.map(waitingHandoffOut) } : {};
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
