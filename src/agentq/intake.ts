import type { ConsumeMessage } from 'amqplib';
import { FleetError } from '../domain/errors.js';
import type { Deps } from '../services/deps.js';
import type { ContextRules } from '../services/external-tasks/context-file.js';
import { receiveExternalTask } from '../services/external-tasks/intake.js';
import { parseEnvelope, taskInputOf } from './envelope.js';

/** What to do with one delivered message. */
export type Disposition =
  | { kind: 'ack'; runId: string; taskId: string; deduplicated: boolean }
  | { kind: 'reject'; reason: string; taskId: string | null }
  | { kind: 'retry'; error: string; taskId: string | null };

/** A message is retried this many times on internal errors before it is dead-lettered. */
export const MAX_INTERNAL_FAILURES = 5;

/**
 * Decides a delivered envelope: a stored (or already stored) run is acked; a malformed envelope,
 * or one fleetdeck refuses for good (a context file outside the roots, an invalid field), goes to
 * the dead-letter queue with its reason; a transient failure (BUSY, an I/O error) is retried.
 */
export async function decideDelivery(
  deps: Deps,
  agentId: string,
  rules: ContextRules,
  message: Pick<ConsumeMessage, 'content' | 'properties'>,
  internalFailures: (taskId: string) => number,
): Promise<Disposition> {
  const parsed = parseEnvelope(message.content);
  if (!parsed.ok) return { kind: 'reject', reason: parsed.reason, taskId: parsed.taskId };
  const envelope = parsed.envelope;
  const stamp = typeof message.properties.timestamp === 'number' ? message.properties.timestamp : null;
  const ageSeconds = stamp === null ? 0 : deps.clock.now() / 1000 - stamp;
  try {
    const out = await receiveExternalTask(deps, agentId, taskInputOf(envelope, ageSeconds), rules);
    return { kind: 'ack', runId: out.run.id, taskId: envelope.task_id, deduplicated: out.deduplicated };
  } catch (error) {
    if (error instanceof FleetError && error.code !== 'BUSY') {
      return { kind: 'reject', reason: `${error.code}: ${error.message}`, taskId: envelope.task_id };
    }
    const text = error instanceof Error ? error.message : String(error);
    if (internalFailures(envelope.task_id) + 1 >= MAX_INTERNAL_FAILURES) {
      return { kind: 'reject', reason: `INTERNAL: failed ${MAX_INTERNAL_FAILURES} times, last: ${text}`, taskId: envelope.task_id };
    }
    return { kind: 'retry', error: text, taskId: envelope.task_id };
  }
}
