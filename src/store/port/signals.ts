import type { NewSignal, Signal } from '../../domain/signal.js';

export interface SignalRepo {
  insert(signal: NewSignal, now: number): Signal;
  /** Signals for the agent with id greater than `afterId`, oldest first. */
  listAfter(agentId: string, afterId: number, limit: number): Signal[];
  recent(agentId: string, limit: number): Signal[];
}
