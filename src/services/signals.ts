import type { Signal } from '../domain/signal.js';
import type { Deps } from './deps.js';
import { readTx } from './tx.js';

const MAX_SIGNALS_PER_RESULT = 20;

/**
 * Returns the signals the agent has not seen yet and advances its cursor, so each signal rides on
 * exactly one tool result. The common case (nothing pending) is a read only, with no write.
 */
export async function takePendingSignals(deps: Deps, agentId: string): Promise<Signal[]> {
  const pending = await readTx(deps, (tx) => tx.signals.listPending(agentId, MAX_SIGNALS_PER_RESULT));
  if (pending.length === 0) return [];
  const last = pending[pending.length - 1]!.id;
  await deps.store.write((tx) => tx.agents.setSignalCursor(agentId, last));
  return pending;
}
