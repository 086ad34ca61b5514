/**
 * Pattern AST → NFA whose edges carry symbolic character sets. The NFA is built Thompson-style
 * with epsilon edges, then epsilon edges are removed and useless states pruned, so the product
 * search in overlap.ts only ever follows consuming edges.
 */
import {
  ALPHABET,
  type CharSet,
  DOT,
  NOT_SLASH,
  SLASH,
  SLASH_SET,
  has,
  hasOrdinary,
  onlyMember,
  pickOrdinary,
  union,
} from './charset.js';
import { GlobSyntaxError, type DoubleStarNode, type Node, type SeqNode, type SlashNode } from './parse.js';

/** Edge class bits: whether an edge's set contains `/`, `.`, or any other character. */
export const HAS_SLASH = 1;
export const HAS_DOT = 2;
export const HAS_ORDINARY = 4;

/** Epsilon-free NFA. State 0 is the start; the edges of state s are `offsets[s] .. offsets[s+1]-1`. */
export interface Nfa {
  readonly size: number;
  readonly accepting: Uint8Array;
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly sets: readonly CharSet[];
  /** The edge's only character when its set has exactly one, else -1. */
  readonly singles: Int32Array;
  readonly classes: Uint8Array;
  /** The edge's most preferred witness character other than `.` and `/`, or -1. */
  readonly picks: Int32Array;
  /** True when the NFA accepts nothing at all. */
  readonly empty: boolean;
}

// Generous for real claims (a 1,024-character pattern needs a few thousand states) and small
// enough that compiling a pathological one stays in the milliseconds. Edges grow quadratically
// with a run of globstars (`**/**/…`: each reaches every later one by epsilon moves); 100,000
// edges cost ~70 ms to compile (`'**/'` × 300), 8,192 a few ms (docs/decisions.md).
const MAX_STATES = 20_000;
const MAX_EDGES = 8_192;

export function tooComplex(): never {
  throw new GlobSyntaxError(
    'pattern too complex',
    'use fewer wildcards and brace alternatives, or claim a broader directory glob such as "src/api/**"',
  );
}

/**
 * `hierarchical` appends `(ε | /.*)`: a name also covers everything below it.
 */
export function compile(ast: SeqNode, hierarchical: boolean): Nfa {
  const eps: number[][] = [];
  const cons: Array<Array<[CharSet, number]>> = [];
  const state = (): number => {
    if (eps.length >= MAX_STATES) tooComplex();
    eps.push([]);
    cons.push([]);
    return eps.length - 1;
  };
  const slashEdges = new Map<SlashNode, [number, number]>();
  const globstars: Array<[DoubleStarNode, number, number]> = [];

  const build = (node: Node, from: number): number => {
    switch (node.kind) {
      case 'char': {
        const to = state();
        cons[from]!.push([node.set, to]);
        return to;
      }
      case 'slash': {
        const to = state();
        cons[from]!.push([SLASH_SET, to]);
        slashEdges.set(node, [from, to]);
        return to;
      }
      case 'doublestar':
      case 'star': {
        if (node.kind === 'doublestar' && node.globstar) {
          // One or more whole segments; `[^/]` first keeps it from eating the separator on its
          // left, and the path-validity automaton in the product rules out empty segments.
          const inside = state();
          cons[from]!.push([NOT_SLASH, inside]);
          cons[inside]!.push([ALPHABET, inside]);
          const to = state();
          eps[inside]!.push(to);
          globstars.push([node, from, to]);
          return to;
        }
        // A `**` that is not a whole segment is a `*`.
        const loop = state();
        eps[from]!.push(loop);
        cons[loop]!.push([NOT_SLASH, loop]);
        return loop;
      }
      case 'seq': {
        let at = from;
        for (const item of node.items) at = build(item, at);
        return at;
      }
      case 'alt': {
        const to = state();
        for (const alt of node.alts) eps[build(alt, from)]!.push(to);
        return to;
      }
    }
  };

  const start = state();
  let accept = build(ast, start);
  if (hierarchical) {
    const below = state();
    const end = state();
    cons[accept]!.push([SLASH_SET, below]);
    cons[below]!.push([ALPHABET, below]);
    eps[below]!.push(end);
    eps[accept]!.push(end);
    accept = end;
  }
  // Zero segments: `**` disappears together with one separator next to it. Dropping the one
  // before it (`a/**` → `a`) or the one after it (`**/b` → `b`) are both needed; when both exist
  // either gives the same string.
  for (const [node, from, to] of globstars) {
    for (const slash of node.before) eps[slashEdges.get(slash)![0]]!.push(to);
    for (const slash of node.after) eps[from]!.push(slashEdges.get(slash)![1]);
  }
  return eliminateEpsilons(eps, cons, start, accept);
}

function eliminateEpsilons(
  eps: readonly number[][],
  cons: ReadonlyArray<ReadonlyArray<[CharSet, number]>>,
  start: number,
  accept: number,
): Nfa {
  const n = eps.length;
  const seenAt = new Int32Array(n).fill(-1);
  const order: number[] = [start];
  const index = new Int32Array(n).fill(-1);
  index[start] = 0;
  const outEdges: Array<Map<number, CharSet>> = [];
  const accepting: number[] = [];
  let edgeCount = 0;
  const stack: number[] = [];

  for (let k = 0; k < order.length; k++) {
    const s = order[k]!;
    const merged = new Map<number, CharSet>();
    let isAccepting = false;
    stack.push(s);
    seenAt[s] = k;
    while (stack.length > 0) {
      const c = stack.pop()!;
      if (c === accept) isAccepting = true;
      for (const [set, target] of cons[c]!) {
        if (set.length === 0) continue;
        const prev = merged.get(target);
        merged.set(target, prev === undefined ? set : union(prev, set));
      }
      for (const e of eps[c]!) {
        if (seenAt[e] !== k) {
          seenAt[e] = k;
          stack.push(e);
        }
      }
    }
    for (const target of merged.keys()) {
      if (index[target] === -1) {
        index[target] = order.length;
        order.push(target);
      }
    }
    edgeCount += merged.size;
    if (edgeCount > MAX_EDGES) tooComplex();
    outEdges.push(merged);
    accepting.push(isAccepting ? 1 : 0);
  }

  // Keep only states from which an accepting state is reachable: the product search then never
  // wanders into dead ends, and an empty language is detected here once.
  const m = order.length;
  const reverse: number[][] = Array.from({ length: m }, () => []);
  for (let k = 0; k < m; k++) {
    for (const target of outEdges[k]!.keys()) reverse[index[target]!]!.push(k);
  }
  const live = new Uint8Array(m);
  const work: number[] = [];
  for (let k = 0; k < m; k++) {
    if (accepting[k]) {
      live[k] = 1;
      work.push(k);
    }
  }
  while (work.length > 0) {
    for (const p of reverse[work.pop()!]!) {
      if (!live[p]) {
        live[p] = 1;
        work.push(p);
      }
    }
  }
  if (!live[0]) return EMPTY_NFA;

  const renumber = new Int32Array(m).fill(-1);
  let size = 0;
  for (let k = 0; k < m; k++) if (live[k]) renumber[k] = size++;
  const offsets = new Int32Array(size + 1);
  const targets: number[] = [];
  const sets: CharSet[] = [];
  for (let k = 0; k < m; k++) {
    if (!live[k]) continue;
    for (const [target, set] of outEdges[k]!) {
      const t = renumber[index[target]!]!;
      if (t >= 0) {
        targets.push(t);
        sets.push(set);
      }
    }
    offsets[renumber[k]! + 1] = targets.length;
  }
  const acc = new Uint8Array(size);
  for (let k = 0; k < m; k++) if (live[k] && accepting[k]) acc[renumber[k]!] = 1;
  return {
    size,
    accepting: acc,
    offsets,
    targets: Int32Array.from(targets),
    sets,
    singles: Int32Array.from(sets, onlyMember),
    classes: Uint8Array.from(sets, classify),
    picks: Int32Array.from(sets, pickOrdinary),
    empty: false,
  };
}

function classify(set: CharSet): number {
  return (has(set, SLASH) ? HAS_SLASH : 0) | (has(set, DOT) ? HAS_DOT : 0) | (hasOrdinary(set) ? HAS_ORDINARY : 0);
}

const EMPTY_NFA: Nfa = {
  size: 1,
  accepting: new Uint8Array(1),
  offsets: new Int32Array(2),
  targets: new Int32Array(0),
  sets: [],
  singles: new Int32Array(0),
  classes: new Uint8Array(0),
  picks: new Int32Array(0),
  empty: true,
};

/** Whether the NFA accepts the code points of `path` (path validity is the caller's business). */
export function accepts(nfa: Nfa, path: string): boolean {
  if (nfa.empty) return false;
  const { offsets, targets, sets, singles, accepting } = nfa;
  let current: number[] = [0];
  let next: number[] = [];
  for (const ch of path) {
    const cp = ch.codePointAt(0)!;
    for (const s of current) {
      for (let e = offsets[s]!; e < offsets[s + 1]!; e++) {
        const t = targets[e]!;
        const single = singles[e]!;
        if ((single >= 0 ? single === cp : has(sets[e]!, cp)) && !next.includes(t)) next.push(t);
      }
    }
    if (next.length === 0) return false;
    const swap = current;
    current = next;
    next = swap;
    next.length = 0;
  }
  return current.some((s) => accepting[s] === 1);
}
