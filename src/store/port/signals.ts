import type { NewSignal, Signal } from '../../domain/signal.js';

/**
 * Signals are delivered at least once and never twice at the same time (docs/identity-and-liveness.md).
 * A delivery id names one connection of an agent (one stdio process, one HTTP session): a signal is
 * handed to one delivery at a time, and acknowledged when that connection calls again.
 */
export interface SignalRepo {
  insert(signal: NewSignal, now: number): Promise<Signal>;
  /**
   * Takes up to `limit` signals of the agent for `deliveryId` in one atomic UPDATE … RETURNING, oldest
   * first: those never delivered or released, and those delivered to another delivery at or before
   * `redeliverBefore` and still unacknowledged (returned with `redelivered: true`). Two concurrent
   * callers never get the same signal.
   */
  deliver(agentId: string, deliveryId: string, now: number, redeliverBefore: number, limit: number): Promise<Signal[]>;
  /** Whether `deliver` would return anything now (a read, so calls with nothing pending write nothing). */
  hasDeliverable(agentId: string, deliveryId: string, redeliverBefore: number): Promise<boolean>;
  /** Marks these signals received, if they are still delivered to `deliveryId`; returns how many. */
  acknowledge(agentId: string, deliveryId: string, ids: readonly number[], now: number): Promise<number>;
  /** A connection closed: its unacknowledged signals become deliverable again (as redeliveries). */
  release(deliveryId: string): Promise<number>;
  /** Unacknowledged signals of the agent, oldest first (delivered or not). */
  unacknowledged(agentId: string, limit: number): Promise<Signal[]>;
  /** The agent's most recent signals, newest first. */
  recent(agentId: string, limit: number): Promise<Signal[]>;
}
