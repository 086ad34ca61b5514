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

/**
 * An approximate LRU of about `capacity` entries in two generations: hits in the old generation
 * are promoted, and when the young one fills up the old one is dropped. Unlike a strict LRU, a hit
 * costs one map lookup and no re-insertion.
 */
class Cache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(key: string): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.capacity / 2) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}

const caches = { path: new Cache<CompiledPattern>(1000), name: new Cache<CompiledPattern>(1000) };

/** `name` patterns are hierarchical: they also match everything below what they name. */
export function compiled(pattern: string, kind: PatternKind): CompiledPattern {
  const cache = caches[kind];
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  const parsed = parsePattern(pattern, kind);
  const entry: CompiledPattern = {
    normalized: parsed.normalized,
    prefix: parsed.prefix,
    suffix: parsed.suffix,
    nfa: compile(parsed.ast, kind === 'name'),
  };
  cache.set(pattern, entry);
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
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== 0x2f) continue;
    const length = i - start;
    if (length === 0) return false;
    if (length <= 2 && path.charCodeAt(start) === 0x2e && (length === 1 || path.charCodeAt(start + 1) === 0x2e)) {
      return false;
    }
    start = i + 1;
  }
  return true;
}
