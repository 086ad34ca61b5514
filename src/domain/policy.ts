/**
 * Glossary: the policy is an operator-edited JSON file (docs/policy.md) of rules that govern what
 * agents may do without a person: scope that needs approval, run types that need an approval
 * before a completed result, and how many runs one agent may hold. Parsing and evaluation are pure;
 * loading the file and acting on a firing rule live in services/policy/.
 */
import { z } from 'zod';
import { globsOverlap, namesOverlap, normalizePattern } from './glob/index.js';

export const CLAIM_KINDS_FOR_POLICY = ['path', 'test', 'resource'] as const;
export type PolicyClaimKind = (typeof CLAIM_KINDS_FOR_POLICY)[number];

export const POLICY_RULES = ['claims_need_approval', 'types_need_approval_before_complete', 'max_leased_runs_per_agent'] as const;
export type PolicyRule = (typeof POLICY_RULES)[number];

const claimRule = z
  .object({
    kind: z.enum(CLAIM_KINDS_FOR_POLICY).default('path'),
    pattern: z.string().min(1).max(1024),
    /** only claims in this workspace (absolute path); all workspaces when absent */
    workspace: z.string().min(1).max(1024).optional(),
    /** shown to the agent and the operator: why this scope needs approval */
    reason: z.string().max(500).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    try {
      normalizePattern(rule.pattern);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: (error as Error).message });
    }
  });

export const PolicyFileSchema = z
  .object({
    version: z.literal(1).default(1),
    claims_need_approval: z.array(claimRule).max(200).default([]),
    types_need_approval_before_complete: z.array(z.string().min(1).max(64)).max(100).default([]),
    max_leased_runs_per_agent: z.number().int().min(1).max(10_000).nullable().default(null),
  })
  .strict();

export type Policy = z.infer<typeof PolicyFileSchema>;
export type ClaimRule = Policy['claims_need_approval'][number];

export const EMPTY_POLICY: Policy = PolicyFileSchema.parse({});

export type PolicyParse = { ok: true; policy: Policy } | { ok: false; problems: string[] };

/** Parses the file's text: JSON syntax, then the schema. Problems name the field. */
export function parsePolicy(text: string): PolicyParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`not valid JSON: ${(error as Error).message}`] };
  }
  const parsed = PolicyFileSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`) };
  }
  const policy = parsed.data;
  for (const rule of policy.claims_need_approval) rule.pattern = normalizePattern(rule.pattern);
  return { ok: true, policy };
}

export interface ScopeRequest {
  kind: string;
  pattern: string;
  workspace: string;
}

export interface ClaimRuleHit {
  scope: ScopeRequest;
  rule: ClaimRule;
  /** a concrete name matched by both the requested scope and the rule */
  witness: string;
}

/**
 * Which requested scopes a `claims_need_approval` rule covers. "Matching `infra/**`" means the
 * two patterns can match a common name (exact overlap, as for claim conflicts): `**` needs
 * approval too, because it includes `infra/`.
 */
export function policyForClaim(policy: Policy, scopes: ScopeRequest[]): ClaimRuleHit[] {
  const hits: ClaimRuleHit[] = [];
  for (const scope of scopes) {
    for (const rule of policy.claims_need_approval) {
      if (rule.kind !== scope.kind) continue;
      if (rule.workspace !== undefined && rule.workspace !== scope.workspace) continue;
      let overlap;
      try {
        overlap = scope.kind === 'path' ? globsOverlap(rule.pattern, scope.pattern) : namesOverlap(rule.pattern, scope.pattern);
      } catch {
        continue; // a malformed requested pattern is refused by the claim service itself
      }
      if (overlap.overlap) {
        hits.push({ scope, rule, witness: overlap.witness });
        break; // one rule per scope is enough to need approval
      }
    }
  }
  return hits;
}

export function completionNeedsApproval(policy: Policy, runType: string | null | undefined): boolean {
  return runType !== null && runType !== undefined && policy.types_need_approval_before_complete.includes(runType);
}

/** Whether an agent holding `held` runs may take one more. */
export function leaseLimitReached(policy: Policy, held: number): boolean {
  return policy.max_leased_runs_per_agent !== null && held >= policy.max_leased_runs_per_agent;
}

/** The key under which an approved claim scope is remembered for an agent. */
/** One scope a claims_need_approval blocker asks for, as kept in its subject. */
export interface PolicyScope extends ScopeRequest {
  rule_pattern: string;
  witness: string;
}

/** What an approval blocker raised by a rule is about, per rule. */
export interface PolicySubjects {
  claims_need_approval: { scopes: PolicyScope[] };
  types_need_approval_before_complete: { run_type: string; summary: string };
}
/** The rules that raise approval blockers (max_leased_runs_per_agent refuses instead). */
export type BlockingPolicyRule = keyof PolicySubjects;
export type PolicySubject = PolicySubjects[BlockingPolicyRule];

/** The scopes a blocker's subject asks for: its claims_need_approval scopes, none for any other rule. */
export function subjectScopes(rule: PolicyRule | null, subject: PolicySubject | null): PolicyScope[] {
  return rule === 'claims_need_approval' && subject && 'scopes' in subject ? subject.scopes : [];
}

export function grantKey(scope: ScopeRequest): string {
  return `${scope.kind}:${scope.workspace}:${scope.pattern}`;
}
