/**
 * Emptiness of the intersection of two NFAs and a path-validity automaton, by breadth-first
 * search over their product. The first accepting product state found gives a shortest common
 * string, which is the witness.
 */
import { type CharSet, DOT, SLASH, has, intersect, pickOrdinary } from './charset.js';
import { HAS_DOT, HAS_ORDINARY, HAS_SLASH, type Nfa, tooComplex } from './automaton.js';
import { GlobSyntaxError } from './parse.js';

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
const CLASS_BITS: readonly number[] = [HAS_SLASH, HAS_DOT, HAS_ORDINARY];

// A product this large means a pathological pattern; refuse rather than stall the server.
const MAX_VISITED = 200_000;

/**
 * Scratch arrays for the dense case, reused across searches: allocating typed arrays costs more
 * than a whole search over ordinary patterns. `stamps[key] === generation` marks a visited key.
 * A search may pause (see `overlapSteps`) while another runs, so the shared scratch is lent to one
 * search at a time; a search that finds it lent out allocates its own.
 */
const ARRAY_LIMIT = 1 << 18;
interface Scratch {
  stamps: Int32Array;
  parents: Int32Array;
  chars: Int32Array;
  generation: number;
}
let lendable: Scratch = { stamps: new Int32Array(4096), parents: new Int32Array(4096), chars: new Int32Array(4096), generation: 0 };
let lendableLent = false;

function borrowScratch(total: number): Scratch {
  if (lendableLent) return { stamps: new Int32Array(total), parents: new Int32Array(total), chars: new Int32Array(total), generation: 1 };
  lendableLent = true;
  if (total > lendable.stamps.length) {
    const size = Math.min(ARRAY_LIMIT, Math.max(total, lendable.stamps.length * 2));
    lendable = { stamps: new Int32Array(size), parents: new Int32Array(size), chars: new Int32Array(size), generation: 0 };
  }
  if (lendable.generation === 0x7fffffff) {
    lendable.stamps.fill(0);
    lendable.generation = 0;
  }
  lendable.generation++;
  return lendable;
}

function returnScratch(scratch: Scratch): void {
  if (scratch === lendable) lendableLent = false;
}

/**
 * The work a caller allows for a series of searches, in product steps (one step is one pair of
 * edges examined). Shared by every pair of one request, so a request's total work is bounded, not
 * only each pair's. `left` below zero ends the search with `WorkBudgetExceeded`.
 */
export interface WorkMeter {
  left: number;
}

/** Thrown when a WorkMeter runs out: the request as a whole costs too much to decide. */
export class WorkBudgetExceeded extends GlobSyntaxError {
  constructor() {
    super(
      'comparing these patterns with the claims held costs too much work',
      'use fewer wildcards and brace alternatives, or claim a broader directory glob such as "src/api/**"',
    );
    this.name = 'WorkBudgetExceeded';
  }
}

/** How many steps a search runs between two pauses (`yield`s) of `overlapSteps`. */
export const STEPS_PER_SLICE = 4096;

const UNMETERED: WorkMeter = { left: Number.POSITIVE_INFINITY };

/** Synchronous and unmetered (bounded only by the product size): for small, trusted inputs and tests. */
export function overlapOf(a: Nfa, b: Nfa): Overlap {
  const steps = overlapSteps(a, b, UNMETERED);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The overlap search as a resumable computation: it yields after every STEPS_PER_SLICE steps, so a
 * caller can let other work run in between, and it charges every step to `meter`.
 */
export function* overlapSteps(a: Nfa, b: Nfa, meter: WorkMeter): Generator<void, Overlap, void> {
  if (a.empty || b.empty) return { overlap: false };
  const witness = yield* search(a, b, VALID, meter);
  if (witness === null) return { overlap: false };
  // Prefer `docs/a.md` to `docs/.md` when the patterns allow both.
  if (/(^|\/)\./.test(witness)) {
    const plain = yield* search(a, b, VALID_NO_DOTFILES, meter);
    if (plain !== null) return { overlap: true, witness: plain };
  }
  return { overlap: true, witness };
}

/**
 * The most preferred character other than `.` and `/` in both sets, or -1. Each edge carries its
 * own most preferred character; if one side's is in the other set it is also the most preferred
 * of the intersection, which saves computing the intersection in almost every case.
 */
function commonOrdinary(x: CharSet, repX: number, y: CharSet, repY: number): number {
  if (repX >= 0 && has(y, repX)) return repX;
  if (repY >= 0 && has(x, repY)) return repY;
  return x === y ? repX : pickOrdinary(intersect(x, y));
}

/**
 * Breadth-first search over product states `(stateA, stateB, validity)`, keyed
 * `(stateA * b.size + stateB) * 4 + validity`. Each newly reached key records its parent and the
 * character that led to it; following parents from an accepting key spells the witness.
 */
function* search(a: Nfa, b: Nfa, valid: readonly number[], meter: WorkMeter): Generator<void, string | null, void> {
  const nb = b.size;
  const total = a.size * nb * 4;
  const dense = total <= ARRAY_LIMIT;
  const scratch = dense ? borrowScratch(total) : null;
  try {
    return yield* explore(a, b, valid, meter, scratch);
  } finally {
    if (scratch) returnScratch(scratch);
  }
}

function* explore(a: Nfa, b: Nfa, valid: readonly number[], meter: WorkMeter, scratch: Scratch | null): Generator<void, string | null, void> {
  const nb = b.size;
  const dense = scratch !== null;
  const stamps = scratch?.stamps ?? new Int32Array(0);
  const parents = scratch?.parents ?? new Int32Array(0);
  const chars = scratch?.chars ?? new Int32Array(0);
  const gen = scratch?.generation ?? 0;
  let slice = 0;
  const links = dense ? null : new Map<number, number>();
  const via = dense ? null : new Map<number, number>();

  const { offsets: offA, targets: toA, sets: setsA, singles: oneA, classes: clsA, accepting: accA, picks: pickA } = a;
  const { offsets: offB, targets: toB, sets: setsB, singles: oneB, classes: clsB, accepting: accB, picks: pickB } = b;
  const queue: number[] = [0];
  if (dense) stamps[0] = gen;
  else links!.set(0, -1);

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
        if (++slice === STEPS_PER_SLICE) {
          slice = 0;
          meter.left -= STEPS_PER_SLICE;
          if (meter.left < 0) throw new WorkBudgetExceeded();
          yield;
        }
        const shared = ca & clsB[eb]!;
        if (shared === 0) continue;
        const tb = toB[eb]!;
        const base = (ta * nb + tb) * 4;
        const singleB = oneB[eb]!;
        // A literal on either side is the only candidate character (and has a single class bit).
        const single = singleA >= 0 ? singleA : singleB;
        if (single >= 0) {
          if (singleA >= 0 && singleB >= 0 ? singleA !== singleB : !has(singleA >= 0 ? setsB[eb]! : setsA[ea]!, single)) {
            continue;
          }
        }
        // Up to three successors, one per validity class.
        for (let cls = 0; cls < 3; cls++) {
          const nv = cls === 0 ? afterSlash : cls === 1 ? afterDot : afterOther;
          if (nv === DEAD || (shared & CLASS_BITS[cls]!) === 0) continue;
          const next = base + nv;
          if (dense ? stamps[next] === gen : links!.has(next)) continue;
          const cp =
            single >= 0
              ? single
              : cls === 0
                ? SLASH
                : cls === 1
                  ? DOT
                  : commonOrdinary(setsA[ea]!, pickA[ea]!, setsB[eb]!, pickB[eb]!);
          if (cp < 0) continue;
          if (dense) {
            stamps[next] = gen;
            parents[next] = key;
            chars[next] = cp;
          } else {
            links!.set(next, key);
            via!.set(next, cp);
          }
          if (nv === ACCEPT && accA[ta] === 1 && accB[tb] === 1) {
            const cps: number[] = [];
            for (let k = next; k !== 0; k = dense ? parents[k]! : links!.get(k)!) {
              cps.push(dense ? chars[k]! : via!.get(k)!);
            }
            return String.fromCodePoint(...cps.reverse());
          }
          queue.push(next);
        }
      }
    }
  }
  meter.left -= slice;
  return null;
}
