/**
 * Symbolic character sets: sets of Unicode code points stored as sorted, disjoint, non-adjacent
 * inclusive ranges `[lo0, hi0, lo1, hi1, ...]`. Automaton edges carry these sets instead of single
 * characters, so negated classes and `*` range over all of Unicode without enumerating it.
 */
export type CharSet = readonly number[];

export const MAX_CODE_POINT = 0x10ffff;
export const SLASH = 0x2f;
export const DOT = 0x2e;

/**
 * The characters a path may contain. NUL and the UTF-16 surrogate block are left out: neither can
 * occur in a real file name, so a witness must never use them.
 */
export const ALPHABET: CharSet = [0x01, 0xd7ff, 0xe000, MAX_CODE_POINT];
export const SLASH_SET: CharSet = [SLASH, SLASH];
export const NOT_SLASH: CharSet = [0x01, SLASH - 1, SLASH + 1, 0xd7ff, 0xe000, MAX_CODE_POINT];

export function singleton(cp: number): CharSet {
  return [cp, cp];
}

/** Builds a normalised set from arbitrary (possibly overlapping, unsorted) inclusive ranges. */
export function fromRanges(ranges: ReadonlyArray<readonly [number, number]>): CharSet {
  const sorted = ranges.filter(([lo, hi]) => lo <= hi).sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of sorted) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) {
      if (hi > out[n - 1]!) out[n - 1] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return out;
}

export function union(a: CharSet, b: CharSet): CharSet {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < a.length; i += 2) ranges.push([a[i]!, a[i + 1]!]);
  for (let i = 0; i < b.length; i += 2) ranges.push([b[i]!, b[i + 1]!]);
  return fromRanges(ranges);
}

export function intersect(a: CharSet, b: CharSet): CharSet {
  if (a === b) return a;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]!, b[j]!);
    const hi = Math.min(a[i + 1]!, b[j + 1]!);
    if (lo <= hi) out.push(lo, hi);
    if (a[i + 1]! < b[j + 1]!) i += 2;
    else j += 2;
  }
  return out;
}

/** Complement relative to all code points `0..MAX_CODE_POINT`. */
export function complement(a: CharSet): CharSet {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < a.length; i += 2) {
    if (a[i]! > next) out.push(next, a[i]! - 1);
    next = a[i + 1]! + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

export function subtract(a: CharSet, b: CharSet): CharSet {
  return intersect(a, complement(b));
}

export function has(set: CharSet, cp: number): boolean {
  for (let i = 0; i < set.length; i += 2) {
    if (cp < set[i]!) return false;
    if (cp <= set[i + 1]!) return true;
  }
  return false;
}

/** The single member of a one-character set, or -1. */
export function onlyMember(set: CharSet): number {
  return set.length === 2 && set[0] === set[1] ? set[0]! : -1;
}

/**
 * Witness characters are chosen in this order so that witnesses read like ordinary file names:
 * lower-case letters, digits, upper case, `-`, `_`, other printable ASCII, then the rest of
 * Unicode, controls last. `.` and `/` are deliberately absent: the path-validity automaton treats
 * them separately.
 */
const PREFERENCE: readonly number[] = [
  0x61, 0x7a, 0x30, 0x39, 0x41, 0x5a, 0x2d, 0x2d, 0x5f, 0x5f, 0x21, 0x2d, 0x3a, 0x7e, 0xa1, 0xd7ff,
  0xe000, 0xfffd, 0x10000, MAX_CODE_POINT, 0x20, 0x20, 0x80, 0xa0, 0xfffe, 0xffff, 0x01, 0x1f, 0x7f,
  0x7f,
];

/** A representative member of `set` other than `.` and `/` (by the preference above), or -1. */
export function pickOrdinary(set: CharSet): number {
  for (let p = 0; p < PREFERENCE.length; p += 2) {
    const plo = PREFERENCE[p]!;
    const phi = PREFERENCE[p + 1]!;
    for (let i = 0; i < set.length; i += 2) {
      const lo = Math.max(set[i]!, plo);
      if (lo <= Math.min(set[i + 1]!, phi)) return lo;
    }
  }
  return -1;
}

/** True when `set` has a member other than `.` and `/`. */
export function hasOrdinary(set: CharSet): boolean {
  // `.` and `/` are adjacent code points, so a range holds something else unless it lies within them.
  for (let i = 0; i < set.length; i += 2) {
    if (set[i]! < DOT || set[i + 1]! > SLASH) return true;
  }
  return false;
}
