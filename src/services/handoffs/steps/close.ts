/**
 * Handoffs in the expiry pass (services/expiry.ts). Tx-only: must not import services/tx.ts.
 */
import type { Agent } from '../../../domain/agent.js';
import type { Tx } from '../../../store/port/index.js';
import { withdrawHandoffIn } from './withdraw.js';

const BATCH = 100;

/**
 * Stale-agent hook, run before the runs' recovery: the handoffs a stale agent offered are
 * withdrawn and their runs return to it (leased), so the runs' own stale recovery then requeues,
 * escalates or dead-letters them like any other run of that agent.
 */
export async function withdrawHandoffsOfStaleAgent(tx: Tx, agent: Agent, now: number): Promise<void> {
  for (const handoff of await tx.handoffs.listOpenFrom(agent.id)) await withdrawHandoffIn(tx, handoff, 'system', 'offerer_stale', null, now);
}

/**
 * Expiry step: an offered handoff whose run moved on without it (an operator cancelled or
 * reassigned the run) is withdrawn, so nobody can accept a run that is no longer on offer.
 */
export async function closeOrphanedHandoffs(tx: Tx, now: number): Promise<number> {
  const orphaned = await tx.handoffs.listOrphaned(BATCH);
  for (const handoff of orphaned) await withdrawHandoffIn(tx, handoff, 'system', 'run_moved_on', null, now);
  return orphaned.length;
}
