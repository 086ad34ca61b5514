import { livenessAt, type Agent, type Liveness } from '../domain/agent.js';
import { notFound } from '../domain/errors.js';
import type { Signal } from '../domain/signal.js';
import { listActiveClaims, type ClaimListing } from './claims/queries.js';
import type { Deps } from './deps.js';
import { readTx } from './tx.js';

export interface SelfView {
  agent: Agent;
  liveness: Liveness;
  recentSignals: Signal[];
  claims: ClaimListing;
}

/** What `whoami` shows a bound agent, read in one snapshot: itself, its recent signals, its claims. */
export function describeSelf(deps: Deps, agentId: string, recentLimit = 10): Promise<SelfView> {
  return readTx(deps, async (tx, now) => {
    const agent = await tx.agents.get(agentId);
    if (!agent) throw notFound('agent', agentId, 'register_agent again');
    return {
      agent,
      liveness: livenessAt(agent, now),
      recentSignals: await tx.signals.recent(agentId, recentLimit),
      claims: await listActiveClaims(tx, { agentId }, now),
    };
  });
}
