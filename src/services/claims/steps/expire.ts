/**
 * Claims in the expiry pass that every write transaction and every sweep runs (services/expiry.ts),
 * registered in ./lifecycle.ts.
 */
import type { Agent } from '../../../domain/agent.js';
import type { Claim } from '../../../domain/claim.js';
import type { Tx } from '../../../store/port/index.js';
import { endClaims, releaseClaimsOfAgent, releasedMessage } from './release.js';

const DUE_BATCH = 500;

/** Stale-agent hook: a holder that turned stale loses its claims at once. */
export async function releaseClaimsOfStaleAgent(tx: Tx, agent: Agent, now: number): Promise<void> {
  await releaseClaimsOfAgent(tx, agent.id, now, 'holder_stale', 'system');
}

/**
 * Expiry step: claims past their expiry (a holder silent for longer than the claim's ttl, though
 * still within its own lease) become `expired`, with an event each and a signal to the holder.
 * Idempotent: only claims still active are touched.
 */
export async function expireClaims(tx: Tx, now: number): Promise<number> {
  const due: Claim[] = await tx.claims.listDue(now, DUE_BATCH);
  if (due.length === 0) return 0;
  return (await endClaims(tx, due, now, 'ttl', 'system', { state: 'expired', signal: { message: (held) => releasedMessage(held, 'ttl') } })).length;
}
