import type { Signal } from '../domain/signal.js';
import type { Tx } from '../store/port/index.js';

const MAX_SIGNALS_PER_RESULT = 20;

/**
 * A signal handed to a connection that did not acknowledge it (by calling again on that connection)
 * is handed to another connection of the agent after this long, marked `redelivered`. A connection
 * that closes cleanly releases its signals at once (`releaseSignals`); this delay covers one that
 * died without closing. See docs/identity-and-liveness.md.
 */
export const REDELIVER_AFTER_MS = 30_000;

/** Takes the agent's deliverable signals for this connection: one UPDATE … RETURNING in the caller's transaction. */
export async function deliverSignals(tx: Tx, agentId: string, deliveryId: string, now: number): Promise<Signal[]> {
  return await tx.signals.deliver(agentId, deliveryId, now, now - REDELIVER_AFTER_MS, MAX_SIGNALS_PER_RESULT);
}

/** Whether a call with no write of its own must open one to hand out signals. */
export async function hasDeliverableSignals(tx: Tx, agentId: string, deliveryId: string, now: number): Promise<boolean> {
  return await tx.signals.hasDeliverable(agentId, deliveryId, now - REDELIVER_AFTER_MS);
}

export async function acknowledgeSignals(tx: Tx, agentId: string, deliveryId: string, ids: readonly number[], now: number): Promise<number> {
  return await tx.signals.acknowledge(agentId, deliveryId, ids, now);
}
