import type { Tx } from '../store/port/index.js';
import { afterWork, applyCallWork, beforeWork, type CallWork } from './call-context.js';
import type { Deps } from './deps.js';
import { expiryGate, nextDeadline, observeDeadlines } from './expiry-gate.js';
import { expireDue } from './expiry.js';

/**
 * Every write goes through here, in one transaction:
 * 1. expiry, only when the gate says a deadline has passed (services/expiry-gate.ts);
 * 2. for a tool call (`deps.call`), its sign of life;
 * 3. the service's own work;
 * 4. for a tool call, acknowledging and taking its signals.
 * The call's bookkeeping is applied only after the commit, so a rolled-back write leaves it to the next one.
 */
export async function writeTx<T>(deps: Deps, fn: (tx: Tx, now: number) => Promise<T>): Promise<T> {
  const gate = expiryGate(deps.store);
  const call = deps.call;
  let work: CallWork | null = null;
  const result = await deps.store.write(async (storeTx) => {
    const now = deps.clock.now();
    const tx = await observeDeadlines(storeTx, gate);
    if (gate.isDue(now)) {
      await expireDue(tx, deps.lifecycle, now);
      gate.set(await nextDeadline(tx));
    }
    work = null;
    const signOfLife = call ? await beforeWork(tx, deps.lifecycle, call, now) : false;
    const value = await fn(tx, now);
    if (call) work = { signOfLife, ...(await afterWork(tx, call, now)) };
    return value;
  });
  if (call && work) applyCallWork(call, work);
  deps.onCommit?.();
  return result;
}

export function readTx<T>(deps: Deps, fn: (tx: Tx, now: number) => Promise<T>): Promise<T> {
  return deps.store.read(async (tx) => await fn(tx, deps.clock.now()));
}
