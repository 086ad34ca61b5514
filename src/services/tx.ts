import type { Tx } from '../store/port/index.js';
import type { Deps } from './deps.js';
import { expireDue } from './expiry.js';

/**
 * Every write goes through here: expiry (stale agents, TTLs, lapsed leases) is evaluated first,
 * inside the same transaction, so no write ever acts on state that should already have expired.
 */
export async function writeTx<T>(deps: Deps, fn: (tx: Tx, now: number) => T): Promise<T> {
  const result = await deps.store.write((tx) => {
    const now = deps.clock.now();
    expireDue(tx, now);
    return fn(tx, now);
  });
  deps.onCommit?.();
  return result;
}

export function readTx<T>(deps: Deps, fn: (tx: Tx, now: number) => T): Promise<T> {
  return deps.store.read((tx) => fn(tx, deps.clock.now()));
}
