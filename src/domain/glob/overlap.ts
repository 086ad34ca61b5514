/**
 * Emptiness of the intersection of two NFAs and a path-validity automaton, by breadth-first
 * search over their product. The first accepting product state found gives a shortest common
 * string, which is the witness.
 */
import { type CharSet, DOT, SLASH, has, intersect, pickOrdinary } from './charset.js';
import { HAS_DOT, HAS_ORDINARY, HAS_SLASH, type Nfa, tooComplex } from './automaton.js';

export type Overlap = { overlap: false } | { overlap: true; witness: string };

/**
 * Path validity as a DFA over three character classes (`/`, `.`, anything else):
 * no empty segment, no `.` or `..` segment, no leading or trailing `/`.
 * States: 0 at a segment start, 1 after `.`, 2 after `..`, 3 inside a proper name (accepting).
 * The strict table also refuses a segment starting with `.`, to look for a witness without
 * dotfiles first.
 */
const DEAD = -1;
// prettier-ignore
const VALID: readonly number[] = [
  /* start */ DEAD, 1, 3,
  /* .     */ DEAD, 2, 3,
  /* ..    */ DEAD, 3, 3,
  /* name  */ 0, 3, 3,
];
// prettier-ignore
const VALID_NO_DOTFILES: readonly number[] = [
  /* start */ DEAD, DEAD, 3,
  /* .     */ DEAD, DEAD, DEAD,
  /* ..    */ DEAD, DEAD, DEAD,
  /* name  */ 0, 3, 3,
];
const ACCEPT = 3;

// A product this large means a pathological pattern; refuse rather than stall the server.
const MAX_VISITED = 400_000;
const ARRAY_LIMIT = 1 << 20;

export function overlapOf(a: Nfa, b: Nfa): Overlap {
  if (a.empty || b.empty) return { overlap: false };
  const witness = search(a, b, VALID);
  if (witness === null) return { overlap: false };
  // Prefer `docs/a.md` to `docs/.md` when the patterns allow both.
  if (/(^|\/)\./.test(witness)) {
    const plain = search(a, b, VALID_NO_DOTFILES);
    if (plain !== null) return { overlap: true, witness: plain };
  }
  return { overlap: true, witness };
}

function commonOrdinary(x: CharSet, y: CharSet): number {
  return pickOrdinary(x === y ? x : intersect(x, y));
}

/** Parent links of visited product states: typed arrays when small, a map otherwise. */
interface Visited {
  seen(key: number): boolean;
  add(key: number, parent: number, cp: number): void;
  parent(key: number): number;
  char(key: number): number;
}

function arrayVisited(size: number): Visited {
  const parents = new Int32Array(size).fill(-2);
  const chars = new Int32Array(size);
  return {
    seen: (key) => parents[key] !== -2,
    add: (key, parent, cp) => {
      parents[key] = parent;
      chars[key] = cp;
    },
    parent: (key) => parents[key]!,
    char: (key) => chars[key]!,
  };
}

function mapVisited(): Visited {
  const links = new Map<number, number>();
  const chars = new Map<number, number>();
  return {
    seen: (key) => links.has(key),
    add: (key, parent, cp) => {
      links.set(key, parent);
      chars.set(key, cp);
    },
    parent: (key) => links.get(key)!,
    char: (key) => chars.get(key)!,
  };
}

function search(a: Nfa, b: Nfa, valid: readonly number[]): string | null {
  const nb = b.size;
  const total = a.size * nb * 4;
  const visited = total <= ARRAY_LIMIT ? arrayVisited(total) : mapVisited();
  const { offsets: offA, targets: toA, sets: setsA, singles: oneA, classes: clsA, accepting: accA } = a;
  const { offsets: offB, targets: toB, sets: setsB, singles: oneB, classes: clsB, accepting: accB } = b;
  const queue: number[] = [0];
  visited.add(0, -1, 0);

  const reconstruct = (key: number): string => {
    const cps: number[] = [];
    for (let k = key; k !== 0; k = visited.parent(k)) cps.push(visited.char(k));
    return String.fromCodePoint(...cps.reverse());
  };

  for (let head = 0; head < queue.length; head++) {
    if (queue.length > MAX_VISITED) tooComplex();
    const key = queue[head]!;
    const v = key & 3;
    const pair = key >>> 2;
    const sa = Math.floor(pair / nb);
    const sb = pair - sa * nb;
    const afterSlash = valid[v * 3]!;
    const afterDot = valid[v * 3 + 1]!;
    const afterOther = valid[v * 3 + 2]!;

    for (let ea = offA[sa]!; ea < offA[sa + 1]!; ea++) {
      const ta = toA[ea]!;
      const ca = clsA[ea]!;
      const singleA = oneA[ea]!;
      for (let eb = offB[sb]!; eb < offB[sb + 1]!; eb++) {
        const shared = ca & clsB[eb]!;
        if (shared === 0) continue;
        const base = (ta * nb + toB[eb]!) * 4;
        const visit = (nv: number, cp: number): boolean => {
          const next = base + nv;
          visited.add(next, key, cp);
          queue.push(next);
          return nv === ACCEPT && accA[ta] === 1 && accB[toB[eb]!] === 1;
        };
        const singleB = oneB[eb]!;
        if (singleA >= 0 || singleB >= 0) {
          // A literal on either side: the only candidate character is that literal.
          const cp = singleA >= 0 ? singleA : singleB;
          if (singleA >= 0 && singleB >= 0 ? singleA !== singleB : !has(singleA >= 0 ? setsB[eb]! : setsA[ea]!, cp)) {
            continue;
          }
          const nv = cp === SLASH ? afterSlash : cp === DOT ? afterDot : afterOther;
          if (nv !== DEAD && !visited.seen(base + nv) && visit(nv, cp)) return reconstruct(base + nv);
          continue;
        }
        if (shared & HAS_SLASH && afterSlash !== DEAD && !visited.seen(base + afterSlash)) {
          if (visit(afterSlash, SLASH)) return reconstruct(base + afterSlash);
        }
        if (shared & HAS_DOT && afterDot !== DEAD && !visited.seen(base + afterDot)) {
          if (visit(afterDot, DOT)) return reconstruct(base + afterDot);
        }
        if (shared & HAS_ORDINARY && afterOther !== DEAD && !visited.seen(base + afterOther)) {
          const cp = commonOrdinary(setsA[ea]!, setsB[eb]!);
          if (cp >= 0 && visit(afterOther, cp)) return reconstruct(base + afterOther);
        }
      }
    }
  }
  return null;
}
