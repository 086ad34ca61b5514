/**
 * What the concepts plug into the transaction machinery, registered once at start by the
 * composition root (src/main.ts, `deps.lifecycle`) rather than listed in the core: the machinery
 * (tx.ts, expiry.ts, liveness.ts) and the run lifecycle (runs/steps/end.ts) call them without
 * importing any concept. Types only: every layer of src/services may import this file.
 */
import type { Agent } from '../domain/agent.js';
import type { Run } from '../domain/run.js';
import type { Tx } from '../store/port/index.js';

/** Recovers what a stale agent held, inside the transaction that marks it stale. */
export type StaleAgentHook = (tx: Tx, agent: Agent, now: number, lifecycle: Lifecycle) => Promise<void>;

/** Expires what is due on its own clock; returns how many things it expired. Idempotent. */
export type ExpiryStep = (tx: Tx, now: number, lifecycle: Lifecycle) => Promise<number>;

/** What a sign of life renewed, so the agent can see that its work is still held. */
export interface Renewal {
  runs: string[];
  claims: string[];
}

/** Extends what an agent holds on a sign of life; touches only rows the agent holds. */
export type Renewer = (tx: Tx, agent: Agent, now: number) => Promise<Partial<Renewal>>;

/** One attempt of a run ended: finished (completed, failed, dead, cancelled), requeued or reassigned. */
export interface RunEnd {
  /** the run as the caller read it, before the move */
  before: Run;
  /** the run after the move */
  run: Run;
  /** who ended it (an agent id, `operator:…`, `system`) */
  by: string;
  /** why, as the run's claims are released with it (`run_finished`, `run_cancelled`, `holder_stale`, …) */
  reason: string;
}

/** What the run-end hooks did, for the caller's answer. */
export interface RunEndReport {
  releasedClaims: string[];
}

/** Does one concept's part of a run's end, for that run only. */
export type RunEndHook = (tx: Tx, end: RunEnd, now: number) => Promise<Partial<RunEndReport> | void>;

/** Every concept's hooks, in the order they run. */
export interface Lifecycle {
  /** run in order when an agent turns stale (claims first, offered handoffs before the runs) */
  staleAgentHooks: readonly StaleAgentHook[];
  /** run by the expiry pass after stale agents are handled */
  expirySteps: readonly ExpiryStep[];
  renewers: readonly Renewer[];
  /** run in order by endAttempt (runs/steps/end.ts) whenever a run's attempt ends */
  runEndHooks: readonly RunEndHook[];
}

/** One concept's part of the lifecycle; the composition root concatenates them in order. */
export type LifecyclePart = { [K in keyof Lifecycle]?: Lifecycle[K] };

export function composeLifecycle(parts: readonly LifecyclePart[]): Lifecycle {
  return {
    staleAgentHooks: parts.flatMap((p) => p.staleAgentHooks ?? []),
    expirySteps: parts.flatMap((p) => p.expirySteps ?? []),
    renewers: parts.flatMap((p) => p.renewers ?? []),
    runEndHooks: parts.flatMap((p) => p.runEndHooks ?? []),
  };
}
