/**
 * Hierarchical names, used by the `resource` and `test` claim kinds. A name N covers N itself and
 * everything below it (N/...), and a name may itself be a glob (a test glob), so two names overlap
 * when L(a)·(ε | /.*) and L(b)·(ε | /.*) share a string: `area:billing` and `area:billing/api`
 * overlap, `area:billing` and `area:billingx` do not.
 */
import { accepts } from './automaton.js';
import { compiled, isValidPath, prefixesCompatible } from './compiled.js';
import { type Overlap, type WorkMeter, overlapOf, overlapSteps } from './overlap.js';

export function namesOverlap(a: string, b: string): Overlap {
  const x = compiled(a, 'name');
  const y = compiled(b, 'name');
  if (!prefixesCompatible(x.prefix, y.prefix)) return { overlap: false };
  return overlapOf(x.nfa, y.nfa);
}

/** `namesOverlap` as a resumable search charged to `meter` (see `overlapSteps`). */
export function* namesOverlapSteps(a: string, b: string, meter: WorkMeter): Generator<void, Overlap, void> {
  const x = compiled(a, 'name');
  const y = compiled(b, 'name');
  if (!prefixesCompatible(x.prefix, y.prefix)) return { overlap: false };
  return yield* overlapSteps(x.nfa, y.nfa, meter);
}

export function nameCovers(pattern: string, name: string): boolean {
  const { nfa } = compiled(pattern, 'name');
  return isValidPath(name) && accepts(nfa, name);
}
