import { z } from 'zod';
import { CLAIM_KINDS, CLAIM_LIMITS, CLAIM_MODES, CLAIM_TTL } from '../../domain/claim.js';
import { LIMITS } from '../../domain/limits.js';
import { describeLocation, type WorkLocation } from '../../domain/workspace.js';
import { checkScope, claimScope, type Conflict } from '../../services/claims/index.js';
import { forceRelease, releaseScope } from '../../services/claims/release-scope.js';
import { agentId, claimId, iso, runId, shortText } from '../schemas.js';
import { defineTool } from '../tool.js';
import { conflictOut, conflictSchema, grantedOut, grantedSchema, releaseOut, releaseOutput } from './claim-schemas.js';

const scopeInput = z
  .object({
    kind: z.enum(CLAIM_KINDS).describe('path: glob from the workspace root (src/api/**); test: id or glob; resource: name (area:billing covers area:billing/api)'),
    pattern: z.string().min(1).max(LIMITS.pattern),
    mode: z.enum(CLAIM_MODES).optional().describe('overrides mode'),
  })
  .strict();

const claimInput = z
  .object({
    scopes: z.array(scopeInput).min(1).max(CLAIM_LIMITS.scopesPerCall),
    mode: z.enum(CLAIM_MODES).optional().describe('exclusive (default): no overlapping claim by others; shared: others may share'),
    run_id: runId.optional().describe('your run: claims end with it'),
    ttl_seconds: z
      .number()
      .int()
      .min(CLAIM_TTL.minSeconds)
      .max(CLAIM_TTL.maxSeconds)
      .optional()
      .describe(`how long claims outlive your silence (default ${CLAIM_TTL.defaultSeconds})`),
    reason: shortText.optional().describe('shown to agents who conflict'),
    workspace: z.string().min(1).max(LIMITS.pattern).optional().describe('default: your registered one'),
  })
  .strict();

const claimOutput = z.object({
  granted: z.boolean(),
  workspace: z.string(),
  claims: z.array(grantedSchema),
  conflicts: z.array(conflictSchema),
  conflicts_total: z.number(),
});

/**
 * The hint shows a holder's worktree as an absolute path: the server does not know which worktree
 * the caller is in (over HTTP not even its host), so a relative path could mislead.
 */
const HERE: Partial<WorkLocation> = {};

function conflictHint(conflicts: Conflict[], viewer: Partial<WorkLocation> = HERE): string {
  const seen = new Set<string>();
  const holders: string[] = [];
  for (const c of conflicts) {
    if (seen.has(c.holder.agentId)) continue;
    seen.add(c.holder.agentId);
    const where = describeLocation(c.claim.location, viewer);
    holders.push(`${c.holder.name}${where ? ` ${where}` : ''} (${c.holder.agentId}, ${c.holder.liveness}, holding ${c.claim.pattern} since ${iso(c.claim.createdAt)})`);
  }
  return `nothing was claimed. Work elsewhere, or ask the holder${holders.length > 1 ? 's' : ''}: ${holders.slice(0, 3).join('; ')}${holders.length > 3 ? '; …' : ''}`;
}

const GRANTED_HINT = 'edit only within your claims; release_scope when done (each call you make renews them)';

export const claimScopeTool = defineTool({
  name: 'claim_scope',
  title: 'Claim scope before editing',
  description: 'Reserve paths (globs), tests or resources before changing them; all or none. A conflict is a normal answer: granted=false, conflicts[] with each holder, its liveness and a witness path both match. Claims renew with your calls; they end by release_scope, your run\'s end, or your silence.',
  toolset: 'agent',
  binding: 'agent',
  input: claimInput,
  output: claimOutput,
  annotations: { readOnlyHint: false, idempotentHint: true, destructiveHint: false },
  async run(ctx, input) {
    const outcome = await claimScope(ctx.deps, ctx.session.requireAgent(), input);
    const d = outcome.decision;
    return {
      granted: outcome.granted,
      workspace: d.workspace,
      claims: outcome.claims.map(({ claim, extended }) => ({ ...grantedOut(claim), extended })),
      conflicts: d.conflicts.map(conflictOut),
      conflicts_total: d.conflictsTotal,
      next: outcome.granted ? GRANTED_HINT : conflictHint(d.conflicts),
    };
  },
  summarize: (o) =>
    o.granted
      ? `granted ${o.claims.length} claim(s) in ${o.workspace}: ${o.claims.map((c) => `${c.claim_id} ${c.pattern}`).join(', ')}`
      : `not granted: ${o.conflicts_total} conflict(s), e.g. ${o.conflicts[0]?.pattern} held by ${o.conflicts[0]?.holder.name} (witness ${o.conflicts[0]?.witness})`,
});

export const checkScopeTool = defineTool({
  name: 'check_scope',
  title: 'Would this claim be granted?',
  description: 'Read-only: what claim_scope would answer now for the same input (its fields are described there), taking nothing. claim_id is set where you already hold the pattern.',
  toolset: 'agent',
  binding: 'any',
  input: claimInput,
  output: z.object({
    granted: z.boolean().describe('claim_scope would grant every scope now'),
    workspace: z.string(),
    claims: z.array(grantedSchema.extend({ claim_id: z.string().nullable() }).omit({ run_id: true })),
    conflicts: z.array(conflictSchema),
    conflicts_total: z.number(),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
  async run(ctx, input) {
    const outcome = await checkScope(ctx.deps, ctx.actor, input);
    const d = outcome.decision;
    return {
      granted: outcome.granted,
      workspace: d.workspace,
      claims: d.scopes.map((s) => ({
        claim_id: s.existing?.id ?? null,
        kind: s.kind,
        pattern: s.pattern,
        mode: s.mode,
        expires_at: iso(Math.max(outcome.expiresAt, s.existing?.expiresAt ?? 0)),
        extended: s.existing !== null,
      })),
      conflicts: d.conflicts.map(conflictOut),
      conflicts_total: d.conflictsTotal,
      next: outcome.granted ? 'claim_scope with the same input to take it' : conflictHint(d.conflicts).replace('nothing was claimed. ', ''),
    };
  },
  summarize: (o) => (o.granted ? `would be granted (${o.claims.length} scope(s) in ${o.workspace})` : `would conflict: ${o.conflicts_total} conflict(s)`),
});

const claimIds = z.array(claimId).min(1).max(CLAIM_LIMITS.idsPerCall);

export const releaseScopeTool = defineTool({
  name: 'release_scope',
  title: 'Release your claims',
  description: 'End your own claims: claim_ids, or all: true.',
  toolset: 'agent',
  binding: 'agent',
  input: z
    .object({
      claim_ids: claimIds.optional(),
      all: z.boolean().optional(),
    })
    .strict(),
  output: releaseOutput,
  annotations: { readOnlyHint: false, idempotentHint: true, destructiveHint: false },
  async run(ctx, input) {
    const outcome = await releaseScope(ctx.deps, ctx.session.requireAgent(), input);
    return { ...releaseOut(outcome), next: 'claim_scope again before editing there' };
  },
  summarize: (o) => `released ${o.released.length} claim(s)${o.not_active.length ? `; ${o.not_active.length} had already ended` : ''}`,
});

export const forceReleaseTool = defineTool({
  name: 'force_release',
  title: 'Force-release claims (operator)',
  description:
    'End claims held by any agent: claim_ids, or agent_id for all of one agent\'s claims. reason is required; each holder gets a claim_released signal carrying it, and each claim an audit event.',
  toolset: 'operator',
  binding: 'any',
  input: z
    .object({
      claim_ids: claimIds.optional(),
      agent_id: agentId.optional(),
      reason: shortText.min(1).describe('shown to the holder and kept in the audit log'),
    })
    .strict(),
  output: releaseOutput,
  annotations: { readOnlyHint: false, idempotentHint: true, destructiveHint: true },
  async run(ctx, input) {
    return releaseOut(await forceRelease(ctx.deps, ctx.actor, input));
  },
  summarize: (o) => `force-released ${o.released.length} claim(s)`,
});

