import type { NewSignal, Signal } from '../../domain/signal.js';

export interface SignalRepo {
  insert(signal: NewSignal, now: number): Signal;
  /** Signals past the agent's delivery cursor (not yet delivered), oldest first: one indexed query. */
  listPending(agentId: string, limit: number): Signal[];
  recent(agentId: string, limit: number): Signal[];
}
