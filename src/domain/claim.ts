/**
 * Glossary: a claim reserves scope in a workspace for one agent. Its `kind` says what the pattern
 * names (`path`: a glob over files relative to the workspace root; `test` and `resource`:
 * hierarchical names, where `area:billing` covers `area:billing/api`), its `mode` whether others
 * may share it. Rules here are pure; the decision that reads and writes claims is in
 * services/claims/.
 */
import {
  globsOverlap,
  globsOverlapSteps,
  literalPrefix,
  namesOverlap,
  namesOverlapSteps,
  normalizePattern,
  compiledSize,
  type Overlap,
  type WorkMeter,
} from './glob/index.js';
import type { WorkLocation } from './workspace.js';
// Hierarchical names skip the drive-letter check of paths (`t:unit` is a fine test name), which
// only the parser's `name` kind knows; the rest of the glob module is used through its index.
import { parsePattern } from './glob/parse.js';

export const CLAIM_KINDS = ['path', 'test', 'resource'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];

export const CLAIM_MODES = ['exclusive', 'shared'] as const;
export type ClaimMode = (typeof CLAIM_MODES)[number];

export const CLAIM_STATES = ['active', 'released', 'expired'] as const;
export type ClaimState = (typeof CLAIM_STATES)[number];

/**
 * TTL bounds (seconds). A claim lives while its holder shows signs of life: each one extends it
 * to now + ttl. So the TTL is how long a *silent* holder keeps it; with the default agent lease
 * (300 s) a silent holder turns stale first and its claims are released then. The default is
 * three leases, so the lease, not the TTL, normally ends a silent holder's claims; a shorter TTL
 * makes a claim lapse sooner.
 */
export const CLAIM_TTL = { defaultSeconds: 900, minSeconds: 30, maxSeconds: 86_400 } as const;

/** Bounds of one call: scopes per claim, ids per release, conflicts reported. */
export const CLAIM_LIMITS = { scopesPerCall: 50, idsPerCall: 50, conflictsReported: 50, listed: 500 } as const;

export interface Claim {
  id: string;
  workspace: string;
  kind: ClaimKind;
  /** normalised pattern */
  pattern: string;
  /** index key: the pattern's literal prefix (see `literalPrefix`) */
  prefix: string;
  mode: ClaimMode;
  agentId: string;
  runId: string | null;
  reason: string | null;
  ttlSeconds: number;
  createdAt: number;
  expiresAt: number;
  state: ClaimState;
  releasedAt: number | null;
  releaseReason: string | null;
  /** where it was made (worktree, branch, host): the workspace is the repository, so this tells worktrees and clones apart */
  location: WorkLocation;
}

export interface NormalizedScope {
  kind: ClaimKind;
  pattern: string;
  prefix: string;
}

/**
 * Normalises a requested pattern and computes its index prefix. Throws GlobSyntaxError (with a
 * hint) for absolute paths, `..` escapes and malformed patterns.
 */
export function normalizeScope(kind: ClaimKind, raw: string): NormalizedScope {
  const pattern = kind === 'path' ? normalizePattern(raw) : parsePattern(raw, 'name').normalized;
  return { kind, pattern, prefix: literalPrefix(pattern) };
}

/** Exact: some path (or name) is matched by both patterns; the witness is one such. */
export function scopesOverlap(kind: ClaimKind, a: string, b: string): Overlap {
  return kind === 'path' ? globsOverlap(a, b) : namesOverlap(a, b);
}

/** Compiles a scope's pattern (cached); its automaton size (see `compiledSize`). Throws GlobSyntaxError when too complex. */
export function scopeAutomatonSize(kind: ClaimKind, pattern: string): number {
  return compiledSize(pattern, kind === 'path' ? 'path' : 'name');
}

/** `scopesOverlap` as a resumable search whose work is charged to `meter`. */
export function scopesOverlapSteps(kind: ClaimKind, a: string, b: string, meter: WorkMeter): Generator<void, Overlap, void> {
  return kind === 'path' ? globsOverlapSteps(a, b, meter) : namesOverlapSteps(a, b, meter);
}

/**
 * The index keys a pattern with prefix `p` can overlap by being *below* them: `''` and every
 * prefix of `p` that ends with `/` (`src/api/` → `''`, `src/`, `src/api/`). Claims whose key
 * starts with `p` are found by a range scan instead (see `prefixRangeEnd`).
 */
export function ancestorPrefixes(p: string): string[] {
  const out = [''];
  for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) out.push(p.slice(0, i + 1));
  return out;
}

/**
 * The exclusive upper bound of the keys that start with `p` (a non-empty key ending in `/`):
 * `p` with its final `/` (0x2F) replaced by `0` (0x30), so `[p, end)` holds exactly the keys with
 * prefix `p` under SQLite's byte-wise (UTF-8) ordering. `''` has no bound: every key starts with it.
 */
export function prefixRangeEnd(p: string): string | null {
  if (p === '') return null;
  if (!p.endsWith('/')) throw new Error(`index prefix must end with "/": ${JSON.stringify(p)}`);
  return `${p.slice(0, -1)}0`;
}

/**
 * Workspaces are compared as text: trailing slashes are dropped so `/repo/` and `/repo` are one
 * workspace. A workspace is usually the absolute path of a git top-level, but any stable name works.
 */
export function normalizeWorkspace(raw: string): string {
  const trimmed = raw.trim();
  const stripped = trimmed.replace(/\/+$/, '');
  return stripped === '' ? (trimmed === '' ? '' : '/') : stripped;
}
