import type { Agent } from '../domain/agent.js';
import type { Tx } from '../store/port/index.js';
import { closeOrphanedBlockers } from './blockers/recovery.js';
import { expireClaims, releaseClaimsOfStaleAgent } from './claims/expire.js';
import { closeOrphanedHandoffs, withdrawHandoffsOfStaleAgent } from './handoffs/recovery.js';
import { expireQueuedRuns, recoverLapsedLeases, recoverRunsOfStaleAgent } from './runs/recovery.js';

/**
 * Expiry and recovery, evaluated inside every write transaction and by the periodic sweep of every
 * process. Each step is idempotent (a conditional UPDATE that only matches what is still due), so
 * many processes may sweep one file at once.
 *
 * Concepts plug in by adding to the two lists below: `staleAgentHooks` recover what a stale agent
 * held (claims, runs, offered handoffs); `expirySteps` expire things on their own clocks (claim
 * TTLs, queued runs past their TTL). Hook modules take a Tx and must not import services/tx.ts.
 */
export type StaleAgentHook = (tx: Tx, agent: Agent, now: number) => void;

export interface ExpiryStep {
  /** read-only and cheap: is anything due for `run`? (lets the sweep skip the write lock) */
  due(tx: Tx, now: number): boolean;
  /** expires what is due; returns how many things it expired */
  run(tx: Tx, now: number): number;
}

const STALE_BATCH = 100;

/** Run in this order when an agent turns stale, inside the transaction that marks it. */
// offered handoffs are withdrawn before runs are recovered, so their runs are recovered too
const staleAgentHooks: StaleAgentHook[] = [releaseClaimsOfStaleAgent, withdrawHandoffsOfStaleAgent, recoverRunsOfStaleAgent];

/** Run in every write transaction, each with the probe that tells whether it has work. */
const expirySteps: ExpiryStep[] = [
  { due: (tx, now) => tx.claims.listDue(now, 1).length > 0, run: expireClaims },
  { due: (tx, now) => tx.runs.listTtlExpired(now, 1).length > 0, run: expireQueuedRuns },
  { due: (tx, now) => tx.runs.listLapsed(now, 1).length > 0, run: recoverLapsedLeases },
  { due: (tx) => tx.handoffs.listOrphaned(1).length > 0, run: closeOrphanedHandoffs },
  { due: (tx) => tx.blockers.listOrphaned(1).length > 0, run: closeOrphanedBlockers },
];

/** Whether `expireDue` would change anything now: read-only, so a sweep can skip the write lock. */
export function anythingDue(tx: Tx, now: number): boolean {
  return tx.agents.listExpired(now, 1).length > 0 || expirySteps.some((step) => step.due(tx, now));
}

export interface ExpiryReport {
  staleAgents: string[];
  expired: number;
}

export function expireDue(tx: Tx, now: number): ExpiryReport {
  const staleAgents: string[] = [];
  for (const agent of tx.agents.listExpired(now, STALE_BATCH)) {
    tx.agents.markStale(agent.id, now);
    tx.events.append(
      {
        actor: 'system',
        type: 'agent.stale',
        agentId: agent.id,
        payload: { last_seen_at: agent.lastSeenAt, lease_seconds: agent.leaseSeconds },
      },
      now,
    );
    for (const hook of staleAgentHooks) hook(tx, agent, now);
    staleAgents.push(agent.id);
  }
  let expired = 0;
  for (const step of expirySteps) expired += step.run(tx, now);
  return { staleAgents, expired };
}
