import { z } from 'zod';
import { CLAIM_KINDS, CLAIM_MODES, type Claim } from '../../domain/claim.js';
import type { WorkLocation } from '../../domain/workspace.js';
import type { Conflict, Holder } from '../../services/claims/index.js';
import type { ReleaseOutcome } from '../../services/claims/release-scope.js';
import type { ClaimView } from '../../services/claims/queries.js';
import { iso } from '../schemas.js';

/** Claims as tools, resources and the CLI show them: the output schemas and their mappers. */
export const holderSchema = z.object({
  agent_id: z.string(),
  name: z.string(),
  liveness: z.enum(['active', 'stale']),
  last_seen_at: z.string(),
});

export const locationSchema = z
  .object({ worktree: z.string().nullable(), branch: z.string().nullable(), host: z.string().nullable() })
  .describe('where the claim was made');

export const locationOut = (at: WorkLocation): z.infer<typeof locationSchema> => ({ worktree: at.worktree, branch: at.branch, host: at.host });

export const conflictSchema = z.object({
  claim_id: z.string(),
  kind: z.enum(CLAIM_KINDS),
  pattern: z.string(),
  mode: z.enum(CLAIM_MODES),
  holder: holderSchema,
  since: z.string(),
  expires_at: z.string(),
  run_id: z.string().nullable(),
  reason: z.string().nullable(),
  witness: z.string().describe('a concrete path (or name) both patterns match'),
  requested_pattern: z.string(),
  location: locationSchema,
});

export const grantedSchema = z.object({
  claim_id: z.string(),
  kind: z.enum(CLAIM_KINDS),
  pattern: z.string().describe('normalised'),
  mode: z.enum(CLAIM_MODES),
  expires_at: z.string(),
  run_id: z.string().nullable(),
  extended: z.boolean().describe('you already held this pattern: its expiry was extended'),
});

export const claimViewSchema = z.object({
  claim_id: z.string(),
  workspace: z.string(),
  kind: z.enum(CLAIM_KINDS),
  pattern: z.string(),
  mode: z.enum(CLAIM_MODES),
  holder: holderSchema.nullable(),
  run_id: z.string().nullable(),
  reason: z.string().nullable(),
  since: z.string(),
  expires_at: z.string(),
  location: locationSchema,
});

export const holderOut = (h: Holder): z.infer<typeof holderSchema> => ({
  agent_id: h.agentId,
  name: h.name,
  liveness: h.liveness,
  last_seen_at: iso(h.lastSeenAt),
});

export function claimViewOut(v: ClaimView): z.infer<typeof claimViewSchema> {
  const c = v.claim;
  return {
    claim_id: c.id,
    workspace: c.workspace,
    kind: c.kind,
    pattern: c.pattern,
    mode: c.mode,
    holder: v.holder ? holderOut(v.holder) : null,
    run_id: c.runId,
    reason: c.reason,
    since: iso(c.createdAt),
    expires_at: iso(c.expiresAt),
    location: locationOut(c.location),
  };
}

export function conflictOut(c: Conflict): z.infer<typeof conflictSchema> {
  return {
    claim_id: c.claim.id,
    kind: c.claim.kind,
    pattern: c.claim.pattern,
    mode: c.claim.mode,
    holder: holderOut(c.holder),
    since: iso(c.claim.createdAt),
    expires_at: iso(c.claim.expiresAt),
    run_id: c.claim.runId,
    reason: c.claim.reason,
    witness: c.witness,
    requested_pattern: c.requested.pattern,
    location: locationOut(c.claim.location),
  };
}

export function grantedOut(c: Claim): Omit<z.infer<typeof grantedSchema>, 'extended'> {
  return { claim_id: c.id, kind: c.kind, pattern: c.pattern, mode: c.mode, expires_at: iso(c.expiresAt), run_id: c.runId };
}

export const releasedSchema = z.object({
  claim_id: z.string(),
  kind: z.enum(CLAIM_KINDS),
  pattern: z.string(),
  holder_agent_id: z.string(),
});

export const releaseOutput = z.object({
  released: z.array(releasedSchema),
  not_active: z.array(z.object({ claim_id: z.string(), state: z.enum(['active', 'released', 'expired']) })).describe('named claims that had already ended'),
});

export function releaseOut(r: ReleaseOutcome): z.infer<typeof releaseOutput> {
  return {
    released: r.released.map((c) => ({ claim_id: c.id, kind: c.kind, pattern: c.pattern, holder_agent_id: c.agentId })),
    not_active: r.notActive.map((c) => ({ claim_id: c.id, state: c.state })),
  };
}

/** An agent's own claims (whoami, fleet://agents/{agent_id}): the holder is the agent itself. */
export const ownClaimSchema = claimViewSchema.omit({ holder: true });

export function ownClaimOut(v: ClaimView): z.infer<typeof ownClaimSchema> {
  const { holder: _holder, ...rest } = claimViewOut(v);
  return rest;
}
