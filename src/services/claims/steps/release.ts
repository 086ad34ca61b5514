/**
 * Ending and moving claims inside a caller's transaction. Other concepts call these from their own
 * `writeTx` (a run's end, a stale agent, an accepted handoff).
 */
import type { Claim } from '../../../domain/claim.js';
import type { Tx } from '../../../store/port/index.js';
import type { RunEnd, RunEndReport } from '../../lifecycle.js';

export type EndReason = 'released' | 'holder_stale' | 'run_finished' | 'run_cancelled' | 'forced' | 'ttl' | (string & {});

export interface EndOptions {
  state?: 'released' | 'expired';
  /** tell each holder in one `claim_released` signal (for releases the holder did not ask for) */
  signal?: { message: (claims: Claim[]) => string };
  /** extra fields for each event's payload */
  payload?: Record<string, unknown>;
}

/**
 * Ends the given claims if they are still active, one `claim.released` (or `claim.expired`) event
 * each, and optionally one signal per holder. Returns the claims that were ended.
 */
export async function endClaims(tx: Tx, claims: Claim[], now: number, reason: string, actor: string, options: EndOptions = {}): Promise<Claim[]> {
  const state = options.state ?? 'released';
  const ended: Claim[] = [];
  for (const claim of claims) {
    const done = await tx.claims.end(claim.id, state, reason, now);
    if (!done) continue;
    ended.push(done);
    await tx.events.append(
      {
        actor,
        type: state === 'expired' ? 'claim.expired' : 'claim.released',
        agentId: done.agentId,
        runId: done.runId,
        subjectId: done.id,
        payload: { workspace: done.workspace, kind: done.kind, pattern: done.pattern, mode: done.mode, reason, ...options.payload },
      },
      now,
    );
  }
  if (options.signal && ended.length > 0) {
    const byHolder = new Map<string, Claim[]>();
    for (const c of ended) byHolder.set(c.agentId, [...(byHolder.get(c.agentId) ?? []), c]);
    for (const [agentId, held] of byHolder) {
      await tx.signals.insert(
        {
          agentId,
          kind: 'claim_released',
          runId: held.length === 1 ? held[0]!.runId : null,
          subjectId: held.length === 1 ? held[0]!.id : null,
          message: options.signal.message(held),
          payload: { claim_ids: held.map((c) => c.id), patterns: held.map((c) => c.pattern), reason, by: actor },
        },
        now,
      );
    }
  }
  return ended;
}

const ALL = 1_000_000;

/** On a run's result or cancellation: ends the run's active claims. Returns their ids. */
export async function releaseClaimsOfRun(tx: Tx, runId: string, now: number, reason: string, actor: string): Promise<string[]> {
  return (await endClaims(tx, await tx.claims.listActive({ runId, limit: ALL }), now, reason, actor)).map((c) => c.id);
}

/**
 * Ends every active claim of the agent (it turned stale, or an operator released them). Returns
 * their ids. The agent gets one `claim_released` signal, so it learns of it on its next call.
 */
/** Run-end hook: the run's claims are released, with the reason its attempt ended. */
export async function releaseClaimsAtRunEnd(tx: Tx, end: RunEnd, now: number): Promise<RunEndReport> {
  return { releasedClaims: await releaseClaimsOfRun(tx, end.run.id, now, end.reason, end.by) };
}

export async function releaseClaimsOfAgent(tx: Tx, agentId: string, now: number, reason: string, actor: string): Promise<string[]> {
  const claims = await tx.claims.listActive({ agentId, limit: ALL });
  return (await endClaims(tx, claims, now, reason, actor, { signal: { message: (held) => releasedMessage(held, reason) } })).map((c) => c.id);
}

/**
 * On an accepted handoff: the run's active claims move to the new owner (renewed from now, since
 * the new owner is alive). One `claim.transferred` event each. Returns their ids.
 */
export async function transferClaimsOfRun(tx: Tx, runId: string, toAgentId: string, now: number, actor: string): Promise<string[]> {
  const before = new Map((await tx.claims.listActive({ runId, limit: ALL })).map((c) => [c.id, c.agentId]));
  const moved = await tx.claims.transferRun(runId, toAgentId, now);
  for (const claim of moved) {
    await tx.events.append(
      {
        actor,
        type: 'claim.transferred',
        agentId: toAgentId,
        runId,
        subjectId: claim.id,
        payload: { from_agent_id: before.get(claim.id) ?? null, to_agent_id: toAgentId, workspace: claim.workspace, kind: claim.kind, pattern: claim.pattern, mode: claim.mode },
      },
      now,
    );
  }
  return moved.map((c) => c.id);
}

export function releasedMessage(claims: Claim[], reason: string): string {
  const shown = claims
    .slice(0, 5)
    .map((c) => `${c.kind} ${c.pattern}`)
    .join(', ');
  const more = claims.length > 5 ? ` and ${claims.length - 5} more` : '';
  const why: Record<string, string> = {
    holder_stale: 'you were silent past your lease',
    ttl: 'it lapsed after its ttl without a sign of life from you',
    forced: 'an operator released it',
  };
  return `claim${claims.length === 1 ? '' : 's'} on ${shown}${more} released: ${why[reason] ?? reason}; claim_scope again before editing there`;
}
