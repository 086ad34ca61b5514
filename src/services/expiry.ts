import type { Agent } from '../domain/agent.js';
import type { Tx } from '../store/port/index.js';
import { closeOrphanedBlockers } from './blockers/steps/close.js';
import { expireClaims, releaseClaimsOfStaleAgent } from './claims/steps/expire.js';
import { closeOrphanedHandoffs, withdrawHandoffsOfStaleAgent } from './handoffs/steps/close.js';
import { expireQueuedRuns, recoverLapsedLeases, recoverRunsOfStaleAgent } from './runs/steps/recovery.js';

/**
 * Expiry and recovery: the pass a write runs when the expiry gate says a deadline has passed
 * (services/expiry-gate.ts), and the sweep of every process runs at the next deadline. Each step is idempotent (a conditional UPDATE that only matches what is still due), so
 * many processes may sweep one file at once.
 *
 * Concepts plug in by adding to the two lists below: `staleAgentHooks` recover what a stale agent
 * held (claims, runs, offered handoffs); `expirySteps` expire things on their own clocks (claim
 * TTLs, queued runs past their TTL). Hook modules take a Tx and must not import services/tx.ts.
 */
export type StaleAgentHook = (tx: Tx, agent: Agent, now: number) => Promise<void>;

/** Expires what is due on its own clock; returns how many things it expired. */
export type ExpiryStep = (tx: Tx, now: number) => Promise<number>;

const STALE_BATCH = 100;

/** Run in this order when an agent turns stale, inside the transaction that marks it. */
// offered handoffs are withdrawn before runs are recovered, so their runs are recovered too
const staleAgentHooks: StaleAgentHook[] = [releaseClaimsOfStaleAgent, withdrawHandoffsOfStaleAgent, recoverRunsOfStaleAgent];

/** Run by the expiry pass after stale agents are handled. Each is a conditional update matching only what is due. */
const expirySteps: ExpiryStep[] = [expireClaims, expireQueuedRuns, recoverLapsedLeases, closeOrphanedHandoffs, closeOrphanedBlockers];

export interface ExpiryReport {
  staleAgents: string[];
  expired: number;
}

/** Marks one agent whose lease ran out stale and recovers what it held (claims, offered handoffs, runs). */
export async function expireAgent(tx: Tx, agent: Agent, now: number): Promise<void> {
  await tx.agents.markStale(agent.id, now);
  await tx.events.append(
    { actor: 'system', type: 'agent.stale', agentId: agent.id, payload: { last_seen_at: agent.lastSeenAt, lease_seconds: agent.leaseSeconds } },
    now,
  );
  for (const hook of staleAgentHooks) await hook(tx, agent, now);
}

export async function expireDue(tx: Tx, now: number): Promise<ExpiryReport> {
  const staleAgents: string[] = [];
  for (const agent of await tx.agents.listExpired(now, STALE_BATCH)) {
    await expireAgent(tx, agent, now);
    staleAgents.push(agent.id);
  }
  let expired = 0;
  for (const step of expirySteps) expired += await step(tx, now);
  return { staleAgents, expired };
}
