import type { Agent } from '../../../domain/agent.js';
import type { Handoff } from '../../../domain/handoff.js';
import type { Tx } from '../../../store/port/index.js';

/** At most this many are named in a result; list_handoffs shows the rest. */
const WAITING_LIMIT = 10;

/**
 * Handoffs offered to this agent or to its role that nobody has decided yet, oldest first. Read
 * from state, not from signals: an agent that registers after the offer, or whose role had no live
 * member when it was made, still sees it (SPEC §3, "Reaching agents").
 */
export async function handoffsWaitingFor(tx: Tx, agent: Pick<Agent, 'id' | 'role'>): Promise<Handoff[]> {
  const offered = await tx.handoffs.list({ states: ['offered'], toAgentId: agent.id, toRole: agent.role, oldestFirst: true, limit: WAITING_LIMIT + 1 });
  return offered.filter((h) => h.fromAgentId !== agent.id).slice(0, WAITING_LIMIT);
}
