import type { Tx } from '../store/port/index.js';
import { afterWork, applyCallWork, beforeWork, probeSignals, type CallWork } from './call-context.js';
import type { Deps } from './deps.js';
import { expiryGate, nextDeadline, observeDeadlines } from './expiry-gate.js';
import { expireDue } from './expiry.js';
import { watchForStateChanges } from './liveness.js';

export interface WriteTxOptions {
  /**
   * The work records only signs of life (a heartbeat, a call's renewal): soft state, which the store
   * may commit without a disk flush (SPEC §3 "Sessions"). The transaction stays fully durable if it
   * turns out to change state: an audit event other than a heartbeat's (an expiry pass, a revival),
   * or a signal delivered or acknowledged.
   */
  signsOfLifeOnly?: boolean;
}

/**
 * Every write goes through here, in one transaction:
 * 1. expiry, only when the gate says a deadline has passed (services/expiry-gate.ts);
 * 2. for a tool call (`deps.call`), its sign of life;
 * 3. the service's own work;
 * 4. for a tool call, acknowledging and taking its signals.
 * The call's bookkeeping is applied only after the commit, so a rolled-back write leaves it to the next one.
 */
export async function writeTx<T>(deps: Deps, fn: (tx: Tx, now: number) => Promise<T>, options?: WriteTxOptions): Promise<T> {
  const gate = expiryGate(deps.store);
  const call = deps.call;
  let work: CallWork | null = null;
  let changedState = false;
  const soft = options?.signsOfLifeOnly ? { soft: () => !changedState } : undefined;
  // The pass raises the gate inside the transaction; if that transaction is then rolled back (the
  // call failed, or the store runs it again: busy, or a sign of life that turned out durable), what
  // the pass did is undone and the gate goes back to unknown, so the next write runs it again.
  let ranExpiry = false;
  const forgetExpiry = () => {
    if (ranExpiry) gate.lower(-Infinity);
    ranExpiry = false;
  };
  const result = await deps.store.write(async (storeTx) => {
    forgetExpiry();
    const now = deps.clock.now();
    changedState = false;
    const observed = await observeDeadlines(storeTx, gate);
    const tx = soft ? watchForStateChanges(observed, () => (changedState = true)) : observed;
    if (gate.isDue(now)) {
      ranExpiry = true;
      await expireDue(tx, now);
      gate.set(await nextDeadline(tx));
    }
    work = null;
    const signOfLife = call ? await beforeWork(tx, call, now) : false;
    const value = await fn(tx, now);
    if (call) {
      work = { signOfLife, ...(await afterWork(tx, call, now)) };
      if (work.acknowledged || (work.signals?.length ?? 0) > 0) changedState = true;
    }
    return value;
  }, soft).catch((error: unknown) => {
    forgetExpiry();
    throw error;
  });
  if (call && work) applyCallWork(call, work);
  deps.onCommit?.();
  return result;
}

/** A read in one snapshot; for a tool call, it also notes whether a signal waits (call-context.ts). */
export function readTx<T>(deps: Deps, fn: (tx: Tx, now: number) => Promise<T>): Promise<T> {
  const call = deps.call;
  return deps.store.read(async (tx) => {
    const now = deps.clock.now();
    const value = await fn(tx, now);
    if (call) await probeSignals(tx, call, now);
    return value;
  });
}
