/** release_scope (an agent ends its own claims) and force_release (the operator ends anyone's). */
import { actorLabel, type Actor } from '../../domain/actor.js';
import { CLAIM_LIMITS, type Claim } from '../../domain/claim.js';
import { FleetError, forbidden, notFound } from '../../domain/errors.js';
import type { Deps } from '../deps.js';
import { writeTx } from '../tx.js';
import { endClaims } from './steps/release.js';
import { mapSeq } from '../sequential.js';

export interface ReleaseInput {
  claim_ids?: string[];
  all?: boolean;
}

export interface ReleaseOutcome {
  released: Claim[];
  /** named claims that had already ended (released or expired): nothing to do, not an error */
  notActive: Claim[];
}

const ALL = 1_000_000;

/**
 * Ends the caller's own claims: the named ones, or all. Naming a claim of another agent is
 * FORBIDDEN and an unknown id NOT_FOUND; either way nothing is released.
 */
export async function releaseScope(deps: Deps, agentId: string, input: ReleaseInput): Promise<ReleaseOutcome> {
  const ids = uniqueIds(input);
  return writeTx(deps, async (tx, now) => {
    if (input.all) {
      return { released: await endClaims(tx, await tx.claims.listActive({ agentId, limit: ALL }), now, 'released', agentId), notActive: [] };
    }
    const claims = await mapSeq(ids, async (id) => {
      const claim = await tx.claims.get(id);
      if (!claim) throw notFound('claim', id, 'list your claims with whoami or fleet://agents/{agent_id}/claims');
      if (claim.agentId !== agentId) {
        throw forbidden(`claim ${id} is held by ${claim.agentId}, not by you`, 'release only your own claims; an operator can force_release');
      }
      return claim;
    });
    const active = claims.filter((c) => c.state === 'active');
    return { released: await endClaims(tx, active, now, 'released', agentId), notActive: claims.filter((c) => c.state !== 'active') };
  });
}

export interface ForceReleaseInput {
  claim_ids?: string[];
  agent_id?: string;
  reason: string;
}

/**
 * The operator ends claims (named ones, or every active claim of an agent). Each holder gets one
 * `claim_released` signal with the operator's reason; each claim an event.
 */
export async function forceRelease(deps: Deps, actor: Actor, input: ForceReleaseInput): Promise<ReleaseOutcome> {
  if (actor.kind !== 'operator') throw forbidden('force_release is for the operator', 'release your own claims with release_scope');
  if ((input.claim_ids === undefined) === (input.agent_id === undefined)) {
    throw new FleetError('INVALID_INPUT', 'give exactly one of claim_ids or agent_id', 'claim_ids for named claims, agent_id for all of one agent');
  }
  const by = actorLabel(actor);
  const ids = input.claim_ids ? uniqueIds({ claim_ids: input.claim_ids }) : [];
  return writeTx(deps, async (tx, now) => {
    let claims: Claim[];
    if (input.agent_id !== undefined) {
      if (!await tx.agents.get(input.agent_id)) throw notFound('agent', input.agent_id, 'list agents with fleet://agents');
      claims = await tx.claims.listActive({ agentId: input.agent_id, limit: ALL });
    } else {
      claims = await mapSeq(ids, async (id) => (await tx.claims.get(id)) ?? throwNotFound(id));
    }
    const active = claims.filter((c) => c.state === 'active');
    const released = await endClaims(tx, active, now, 'forced', by, {
      payload: { note: input.reason },
      signal: {
        message: (held) =>
          `operator released your claim${held.length === 1 ? '' : 's'} on ${held
            .slice(0, 5)
            .map((c) => `${c.kind} ${c.pattern}`)
            .join(', ')}${held.length > 5 ? ` and ${held.length - 5} more` : ''}: ${input.reason}. Stop editing there; claim_scope again before you do`,
      },
    });
    return { released, notActive: claims.filter((c) => c.state !== 'active') };
  });
}

function uniqueIds(input: ReleaseInput): string[] {
  if (input.all && input.claim_ids && input.claim_ids.length > 0) {
    throw new FleetError('INVALID_INPUT', 'give claim_ids or all: true, not both', 'all: true releases every claim you hold');
  }
  if (!input.all && (!input.claim_ids || input.claim_ids.length === 0)) {
    throw new FleetError('INVALID_INPUT', 'nothing to release', 'pass claim_ids (from claim_scope) or all: true');
  }
  const ids = [...new Set(input.claim_ids ?? [])];
  if (ids.length > CLAIM_LIMITS.idsPerCall) throw new FleetError('TOO_LARGE', `at most ${CLAIM_LIMITS.idsPerCall} claim ids per call`, 'use all: true');
  return ids;
}

function throwNotFound(id: string): never {
  throw notFound('claim', id, 'list active claims with fleet://claims');
}
