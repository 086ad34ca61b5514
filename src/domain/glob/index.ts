/**
 * Exact overlap of scope-claim globs. The dialect is documented in parse.ts.
 */
import { accepts } from './automaton.js';
import { compiled, isValidPath, prefixesCompatible, suffixesCompatible } from './compiled.js';
import { type PatternKind, parsePattern } from './parse.js';
import { type Overlap, type WorkMeter, overlapOf, overlapSteps } from './overlap.js';

export { GlobSyntaxError, normalizePattern, type PatternKind } from './parse.js';
export type { Overlap, WorkMeter } from './overlap.js';
export { STEPS_PER_SLICE, WorkBudgetExceeded } from './overlap.js';
export { nameCovers, namesOverlap, namesOverlapSteps } from './names.js';

/** Whether some path matches both globs; if so, a shortest such path as the witness. */
export function globsOverlap(a: string, b: string): Overlap {
  const x = compiled(a, 'path');
  const y = compiled(b, 'path');
  if (!prefixesCompatible(x.prefix, y.prefix) || !suffixesCompatible(x.suffix, y.suffix)) {
    return { overlap: false };
  }
  return overlapOf(x.nfa, y.nfa);
}

/** `globsOverlap` as a resumable search charged to `meter` (see `overlapSteps`). */
export function* globsOverlapSteps(a: string, b: string, meter: WorkMeter): Generator<void, Overlap, void> {
  const x = compiled(a, 'path');
  const y = compiled(b, 'path');
  if (!prefixesCompatible(x.prefix, y.prefix) || !suffixesCompatible(x.suffix, y.suffix)) {
    return { overlap: false };
  }
  return yield* overlapSteps(x.nfa, y.nfa, meter);
}

/**
 * Whether the glob matches the whole of a concrete relative path. A string that is not a valid
 * path (empty, leading or trailing `/`, empty, `.` or `..` segments) matches nothing.
 */
export function globMatches(pattern: string, path: string): boolean {
  const { nfa } = compiled(pattern, 'path');
  return isValidPath(path) && accepts(nfa, path);
}

/**
 * The longest leading run of whole literal segments, each with its `/`, or `''`:
 * `src/api/*.ts` → `src/api/`, `src/**` → `src/`, `src/a.ts` → `src/`, `*.ts` → `''`.
 * Every path p the pattern matches satisfies `(p + '/').startsWith(prefix)` — note the `+ '/'`,
 * needed because `src/**` also matches `src`. Hence two patterns can only overlap when one prefix
 * is a prefix of the other. Works for hierarchical names too (no drive-letter check).
 */
export function literalPrefix(pattern: string): string {
  return parsePattern(pattern, 'name').prefix;
}

/**
 * Compiles (and caches) a pattern, so that one too complex to compare is refused up front with
 * GlobSyntaxError; returns the size of its automaton (states + edges), a measure of the work its
 * compilation took and of what comparing it will cost.
 */
export function compiledSize(pattern: string, kind: PatternKind): number {
  const { nfa } = compiled(pattern, kind);
  return nfa.size + nfa.targets.length;
}
