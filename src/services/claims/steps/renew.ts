/**
 * Sign-of-life renewal (services/liveness.ts `renewers`): every call of a holder extends each of
 * its active claims to now + that claim's ttl, in one UPDATE. Takes a Tx; must not import tx.ts.
 */
import type { Agent } from '../../../domain/agent.js';
import type { Tx } from '../../../store/port/index.js';

export async function renewClaims(tx: Tx, agent: Agent, now: number): Promise<{ claims: string[] }> {
  return { claims: await tx.claims.renewAgent(agent.id, now) };
}
