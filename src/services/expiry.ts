import type { Agent } from '../domain/agent.js';
import type { Tx } from '../store/port/index.js';
import type { Lifecycle } from './lifecycle.js';

/**
 * Expiry and recovery: the pass a write runs when the expiry gate says a deadline has passed
 * (services/expiry-gate.ts), and the sweep of every process runs at the next deadline. Each step is idempotent (a conditional UPDATE that only matches what is still due), so
 * many processes may sweep one file at once.
 *
 * Concepts plug in through `deps.lifecycle` (services/lifecycle.ts, registered in src/main.ts):
 * `staleAgentHooks` recover what a stale agent held (claims, offered handoffs, runs);
 * `expirySteps` expire things on their own clocks (claim TTLs, queued runs past their TTL, lapsed
 * leases). This module imports no concept.
 */
const STALE_BATCH = 100;

export interface ExpiryReport {
  staleAgents: string[];
  expired: number;
}

/** Marks one agent whose lease ran out stale and recovers what it held (claims, offered handoffs, runs). */
export async function expireAgent(tx: Tx, lifecycle: Lifecycle, agent: Agent, now: number): Promise<void> {
  await tx.agents.markStale(agent.id, now);
  await tx.events.append(
    { actor: 'system', type: 'agent.stale', agentId: agent.id, payload: { last_seen_at: agent.lastSeenAt, lease_seconds: agent.leaseSeconds } },
    now,
  );
  for (const hook of lifecycle.staleAgentHooks) await hook(tx, agent, now, lifecycle);
}

export async function expireDue(tx: Tx, lifecycle: Lifecycle, now: number): Promise<ExpiryReport> {
  const staleAgents: string[] = [];
  for (const agent of await tx.agents.listExpired(now, STALE_BATCH)) {
    await expireAgent(tx, lifecycle, agent, now);
    staleAgents.push(agent.id);
  }
  let expired = 0;
  for (const step of lifecycle.expirySteps) expired += await step(tx, now, lifecycle);
  return { staleAgents, expired };
}
