/**
 * Handoffs in the lifecycle (handoffs/steps/lifecycle.ts): at a run's end, when an agent turns
 * stale, and in the expiry pass.
 */
import type { Agent } from '../../../domain/agent.js';
import type { Tx } from '../../../store/port/index.js';
import type { RunEnd } from '../../lifecycle.js';
import { withdrawHandoffInTx } from './withdraw.js';

const BATCH = 100;

/**
 * Stale-agent hook, run before the runs' recovery: the handoffs a stale agent offered are
 * withdrawn and their runs return to it (leased), so the runs' own stale recovery then requeues,
 * escalates or dead-letters them like any other run of that agent.
 */
export async function withdrawHandoffsOfStaleAgent(tx: Tx, agent: Agent, now: number): Promise<void> {
  for (const handoff of await tx.handoffs.listOpenFrom(agent.id)) await withdrawHandoffInTx(tx, handoff, 'system', 'offerer_stale', null, now);
}

/**
 * Run-end hook: the handoff offered on a run whose attempt ended (cancelled, reassigned, closed by
 * the operator) is withdrawn, so nobody can accept a run that is no longer on offer.
 */
export async function closeHandoffAtRunEnd(tx: Tx, end: RunEnd, now: number): Promise<void> {
  if (end.before.state !== 'handoff_pending') return;
  const open = await tx.handoffs.openForRun(end.run.id);
  if (open) await withdrawHandoffInTx(tx, open, 'system', 'run_moved_on', null, now);
}

/**
 * Expiry step, a safety net for runs moved outside the run lifecycle: an offered handoff whose
 * run moved on without it is withdrawn.
 */
export async function closeOrphanedHandoffs(tx: Tx, now: number): Promise<number> {
  const orphaned = await tx.handoffs.listOrphaned(BATCH);
  for (const handoff of orphaned) await withdrawHandoffInTx(tx, handoff, 'system', 'run_moved_on', null, now);
  return orphaned.length;
}
