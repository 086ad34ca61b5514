import { livenessAt, type Agent, type Liveness } from '../domain/agent.js';
import { notFound } from '../domain/errors.js';
import type { Signal } from '../domain/signal.js';
import { listActiveClaims, type ClaimListing } from './claims/queries.js';
import type { Handoff } from '../domain/handoff.js';
import type { Deps } from './deps.js';
import { handoffsWaitingFor } from './handoffs/steps/waiting.js';
import { readTx } from './tx.js';

export interface SelfView {
  agent: Agent;
  liveness: Liveness;
  /** unacknowledged signals (delivered or not) and the most recent ones, newest first */
  recentSignals: Signal[];
  claims: ClaimListing;
  waitingHandoffs: Handoff[];
}

/** whoami lists at most this many signals the agent has not acknowledged */
const UNACKNOWLEDGED_LIMIT = 50;

function mergeSignals(a: Signal[], b: Signal[]): Signal[] {
  const byId = new Map<number, Signal>();
  for (const s of [...a, ...b]) byId.set(s.id, s);
  return [...byId.values()].sort((x, y) => y.id - x.id);
}

/** What `whoami` shows a bound agent, read in one snapshot: itself, its recent signals, its claims. */
export function describeSelf(deps: Deps, agentId: string, recentLimit = 10): Promise<SelfView> {
  return readTx(deps, async (tx, now) => {
    const agent = await tx.agents.get(agentId);
    if (!agent) throw notFound('agent', agentId, 'register_agent again');
    return {
      agent,
      liveness: livenessAt(agent, now),
      recentSignals: mergeSignals(await tx.signals.unacknowledged(agentId, UNACKNOWLEDGED_LIMIT), await tx.signals.recent(agentId, recentLimit)),
      claims: await listActiveClaims(tx, { agentId }, now),
      waitingHandoffs: await handoffsWaitingFor(tx, agent),
    };
  });
}
