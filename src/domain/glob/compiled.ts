/**
 * Compiled patterns, cached: overlap checks run for every candidate claim, so each pattern is
 * parsed and compiled once and then reused.
 */
import { type Nfa, compile } from './automaton.js';
import { type PatternKind, parsePattern } from './parse.js';

export interface CompiledPattern {
  readonly normalized: string;
  readonly prefix: string;
  readonly suffix: string;
  readonly nfa: Nfa;
}

const CACHE_SIZE = 1000;
const cache = new Map<string, CompiledPattern>();

/** `name` patterns are hierarchical: they also match everything below what they name. */
export function compiled(pattern: string, kind: PatternKind): CompiledPattern {
  const key = `${kind === 'path' ? 'p' : 'n'}${pattern}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    // Re-insert so that Map order is least recently used first.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const parsed = parsePattern(pattern, kind);
  const entry: CompiledPattern = {
    normalized: parsed.normalized,
    prefix: parsed.prefix,
    suffix: parsed.suffix,
    nfa: compile(parsed.ast, kind === 'name'),
  };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, entry);
  return entry;
}

/**
 * Two patterns can only share a path when one literal prefix extends the other (every matched
 * path `p` has `p + '/'` starting with the prefix). A cheap way to skip the product search.
 */
export function prefixesCompatible(a: string, b: string): boolean {
  return a.length <= b.length ? b.startsWith(a) : a.startsWith(b);
}

/** Likewise at the end, for path globs (a hierarchical name is followed by anything). */
export function suffixesCompatible(a: string, b: string): boolean {
  return a.length <= b.length ? b.endsWith(a) : a.endsWith(b);
}

/** A concrete path as the dialect sees it: non-empty segments, none of them `.` or `..`. */
export function isValidPath(path: string): boolean {
  if (path.length === 0) return false;
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return false;
  }
  return true;
}
