import type { Signal } from '../domain/signal.js';
import type { CallContext } from './call-context.js';
import type { Deps } from './deps.js';
import { hasDeliverableSignals } from './signals.js';
import { readTx, writeTx } from './tx.js';

/**
 * Completes a call after its handler: if a sign of life or an acknowledgement is still owed, or a
 * signal waits, one write transaction does them all; otherwise nothing is written. Returns every
 * signal taken for this call.
 */
export async function settleCall(deps: Deps & { call: CallContext }, call: CallContext): Promise<Signal[]> {
  const agentId = call.agentId;
  if (!agentId) return call.signals;
  const owed = (call.signOfLifeDue && !call.signOfLifeDone) || (!call.acknowledged && call.toAcknowledge.length > 0) || !call.signalsTaken;
  if (!owed) return call.signals;
  if (!(call.signOfLifeDue && !call.signOfLifeDone) && (call.acknowledged || call.toAcknowledge.length === 0)) {
    // the call's own read transaction may already have looked (readTx)
    const waiting = call.signalsWaiting ?? (await readTx(deps, async (tx, now) => await hasDeliverableSignals(tx, agentId, call.deliveryId, now)));
    if (!waiting) return call.signals;
  }
  // a sign of life, or acknowledgements and signals (which make the transaction durable again)
  await writeTx(deps, async () => undefined, { signsOfLifeOnly: true });
  return call.signals;
}
