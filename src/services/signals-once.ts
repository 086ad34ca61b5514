import { randomUUID } from 'node:crypto';
import type { Signal } from '../domain/signal.js';
import type { Deps } from './deps.js';
import { acknowledgeSignals, deliverSignals, hasDeliverableSignals } from './signals.js';
import { readTx, writeTx } from './tx.js';

/**
 * Takes the agent's deliverable signals for a one-shot reader that has no next call to acknowledge
 * with (a Claude Code hook prints them into the model's context and exits): delivered to a fresh
 * delivery id and acknowledged in the same transaction, so each rides on exactly one answer. The
 * common case, nothing deliverable, is a read only.
 */
export async function takeSignalsOnce(deps: Deps, agentId: string): Promise<Signal[]> {
  const deliveryId = `once:${randomUUID()}`;
  const waiting = await readTx(deps, (tx, now) => hasDeliverableSignals(tx, agentId, deliveryId, now));
  if (!waiting) return [];
  return writeTx(deps, async (tx, now) => {
    const signals = await deliverSignals(tx, agentId, deliveryId, now);
    if (signals.length > 0) await acknowledgeSignals(tx, agentId, deliveryId, signals.map((s) => s.id), now);
    return signals;
  });
}
