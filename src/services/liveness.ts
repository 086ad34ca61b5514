import { leaseExpiresAt, type Agent } from '../domain/agent.js';
import type { Tx } from '../store/port/index.js';
import { renewClaims } from './claims/renew.js';
import { expireAgent } from './expiry.js';
import { renewRunLeases } from './runs/recovery.js';

/** What a sign of life renewed, so the agent can see that its work is still held. */
export interface Renewal {
  runs: string[];
  claims: string[];
}

/**
 * Renewers extend what an agent holds whenever it shows a sign of life (any tool call):
 * run leases, claim expiries. Concepts add theirs to this list; each must only touch rows the
 * agent holds. They get the agent as read before its sign of life (its id and lease_seconds).
 */
export type Renewer = (tx: Tx, agent: Agent, now: number) => Promise<Partial<Renewal>>;

const renewers: Renewer[] = [renewClaims, renewRunLeases];

export async function recordSignOfLife(tx: Tx, agentId: string, now: number, heartbeat: boolean): Promise<Renewal> {
  let agent = await tx.agents.get(agentId);
  if (!agent) return { runs: [], claims: [] };
  if (agent.recordedLiveness === 'active' && leaseExpiresAt(agent) <= now) {
    // Its lease ran out before any expiry pass marked it (the pass runs at deadlines, and another
    // process's deadline may not be known here yet). Statements already treated its claims as over,
    // so recover first, exactly as the pass would have, then revive: nothing it lost comes back.
    await expireAgent(tx, agent, now);
    agent = { ...agent, recordedLiveness: 'stale', staleSince: now };
  }
  await tx.agents.touch(agentId, now, heartbeat);
  if (agent.recordedLiveness === 'stale') {
    await tx.events.append(
      { actor: agentId, type: 'agent.revived', agentId, payload: { stale_since: agent.staleSince } },
      now,
    );
  }
  const renewal: Renewal = { runs: [], claims: [] };
  for (const renew of renewers) {
    const r = await renew(tx, agent, now);
    renewal.runs.push(...(r.runs ?? []));
    renewal.claims.push(...(r.claims ?? []));
  }
  return renewal;
}

/** The audit events a sign of life writes; any other event in a transaction is a state change. */
const SIGN_OF_LIFE_EVENTS: ReadonlySet<string> = new Set(['agent.heartbeat']);

/**
 * The transaction's repositories, calling `onStateChange` when the work appends an event that is
 * not a sign of life. Every state change writes its audit event in the same transaction (a house
 * rule), so the events a transaction appends tell whether it was soft state only.
 */
export function watchForStateChanges(tx: Tx, onStateChange: () => void): Tx {
  const { events } = tx;
  return {
    ...tx,
    events: {
      ...events,
      append: async (e, now) => {
        if (!SIGN_OF_LIFE_EVENTS.has(e.type)) onStateChange();
        return await events.append(e, now);
      },
    },
  };
}
