import type { Signal } from '../domain/signal.js';
import type { Tx } from '../store/port/index.js';
import { recordSignOfLife } from './liveness.js';
import { acknowledgeSignals, deliverSignals, hasDeliverableSignals } from './signals.js';

/**
 * What one tool call of a bound agent owes besides its own work: a sign of life, acknowledging the
 * signals its connection received in earlier results, and taking the signals now pending for it.
 * The first write transaction of the call does all three together with the call's own work (the
 * lean write path: one transaction per call in the common case); whatever is left when the handler
 * returns is done by the adapter afterwards (`settleCall`).
 */
export interface CallContext {
  agentId: string | null;
  /** names the caller's connection, so its signals are handed to one connection at a time */
  deliveryId: string;
  /** whether this call should record a sign of life (the adapter throttles them per connection) */
  signOfLifeDue: boolean;
  /** ids delivered to this connection in results already returned */
  toAcknowledge: number[];
  /** set after the transaction that did the work commits */
  signOfLifeDone: boolean;
  acknowledged: boolean;
  signalsTaken: boolean;
  /** signals taken for this call's result */
  signals: Signal[];
  /**
   * whether a signal waited for this connection when the call's own read transaction looked (set by
   * readTx, so that a read-only call needs no second read to know whether it owes a write)
   */
  signalsWaiting?: boolean;
}

export function newCallContext(agentId: string | null, deliveryId: string, signOfLifeDue: boolean, toAcknowledge: number[]): CallContext {
  return { agentId, deliveryId, signOfLifeDue, toAcknowledge, signOfLifeDone: false, acknowledged: false, signalsTaken: false, signals: [] };
}

/** What a transaction did for the call; applied to the context only once it has committed. */
export interface CallWork {
  signOfLife: boolean;
  acknowledged: boolean;
  signals: Signal[] | null;
}

/** Before the call's own work: the sign of life (so the work sees the agent alive and its leases renewed). */
export async function beforeWork(tx: Tx, call: CallContext, now: number): Promise<boolean> {
  if (!call.agentId || !call.signOfLifeDue || call.signOfLifeDone) return false;
  await recordSignOfLife(tx, call.agentId, now, false);
  return true;
}

/** After the call's own work, in the same transaction: acknowledge, then take pending signals. */
export async function afterWork(tx: Tx, call: CallContext, now: number): Promise<Omit<CallWork, 'signOfLife'>> {
  if (!call.agentId) return { acknowledged: false, signals: null };
  const acknowledged = !call.acknowledged && call.toAcknowledge.length > 0;
  if (acknowledged) await acknowledgeSignals(tx, call.agentId, call.deliveryId, call.toAcknowledge, now);
  const signals = await deliverSignals(tx, call.agentId, call.deliveryId, now);
  return { acknowledged, signals };
}

/** In the call's read transaction: whether a signal waits (settleCall then knows without reading again). */
export async function probeSignals(tx: Tx, call: CallContext, now: number): Promise<void> {
  if (!call.agentId || call.signalsTaken || call.signalsWaiting === true) return;
  call.signalsWaiting = await hasDeliverableSignals(tx, call.agentId, call.deliveryId, now);
}

export function applyCallWork(call: CallContext, work: CallWork): void {
  if (work.signOfLife) call.signOfLifeDone = true;
  if (work.acknowledged) call.acknowledged = true;
  if (work.signals) {
    call.signalsTaken = true;
    call.signals.push(...work.signals);
  }
}

