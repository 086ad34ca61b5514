/**
 * Property tests against picomatch (with `dot: true`) on a finite universe of concrete paths.
 *
 * Where the dialect deliberately differs from picomatch 4, the generator or the oracle adapts:
 *   - picomatch 4 does not treat `[!...]` as negation (it compiles `[!a]` to "`!` or `a`"), so the
 *     pattern handed to picomatch spells negation `[^...]`.
 *   - picomatch lets `X/**` match `X` except when X's last segment ends in a star (`*` + `/**`
 *     does not match `a`); the dialect always does, so the oracle also tries X without `/**`.
 *   - `**` inside braces follows brace expansion here (`{**,a}/b` matches `b`), so the generator
 *     only puts whole-segment `**` outside braces; the expansion property below covers braces.
 *   - classes containing `/`, extglobs, trailing `/` and `..` segments are refused or literal
 *     here and are not generated.
 */
import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import {
  GlobSyntaxError,
  globMatches,
  globsOverlap,
  literalPrefix,
  nameCovers,
  namesOverlap,
  normalizePattern,
} from '../../../src/domain/glob/index.js';

const NAMES = ['a', 'b', 'c', 'aa', 'ab', 'ba', 'bb', '.a', '.b', 'a.', 'a.b', '..a'];
const UNIVERSE: string[] = [];
for (const x of NAMES) {
  UNIVERSE.push(x);
  for (const y of NAMES) {
    UNIVERSE.push(`${x}/${y}`);
    for (const z of NAMES) UNIVERSE.push(`${x}/${y}/${z}`);
  }
}

const ATOMS = ['a', 'b', '.', '*', '?', '[ab]', '[!a]', '{a,b}', '{a,.b}', '{a/b,b}', '{,a}'];
const segment = fc.oneof(
  { weight: 1, arbitrary: fc.constant('**') },
  { weight: 5, arbitrary: fc.array(fc.constantFrom(...ATOMS), { minLength: 1, maxLength: 3 }).map((a) => a.join('')) },
);
const hasDotDotSegment = (p: string): boolean => p.split('/').includes('..');
const pattern = fc
  .array(segment, { minLength: 1, maxLength: 4 })
  .map((segments) => segments.join('/'))
  .filter((p) => !hasDotDotSegment(p) && isAccepted(p));

function isAccepted(p: string): boolean {
  try {
    normalizePattern(p);
    return true;
  } catch (error) {
    if (error instanceof GlobSyntaxError) return false;
    throw error;
  }
}

const compiledOracle = new Map<string, (s: string) => boolean>();
/** picomatch with the documented adjustments; see the header. */
function oracle(p: string): (s: string) => boolean {
  let fn = compiledOracle.get(p);
  if (fn === undefined) {
    const isMatch = picomatch(p.replaceAll('[!', '[^'), { dot: true });
    const without = p.endsWith('/**') ? oracle(p.slice(0, -3)) : undefined;
    fn = without === undefined ? isMatch : (s: string) => isMatch(s) || without(s);
    compiledOracle.set(p, fn);
  }
  return fn;
}

const matchesOf = new Map<string, boolean[]>();
function universeMatches(p: string): boolean[] {
  let bits = matchesOf.get(p);
  if (bits === undefined) {
    const match = oracle(p);
    bits = UNIVERSE.map((s) => match(s));
    matchesOf.set(p, bits);
  }
  return bits;
}

const codePoints = (s: string): number => [...s].length;
const isValidPath = (s: string): boolean =>
  s.length > 0 && s.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');

describe('properties against picomatch', () => {
  it('refuses ".." segments and nothing else the generator makes, apart from brace mistakes', () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), (segments) => {
        const p = segments.join('/');
        if (hasDotDotSegment(p)) expect(() => normalizePattern(p)).toThrow(/"\.\." segments/);
      }),
      { numRuns: 300 },
    );
  });

  it('globMatches agrees with picomatch on the universe, and literalPrefix bounds every match', () => {
    fc.assert(
      fc.property(pattern, (p) => {
        const expected = universeMatches(p);
        const prefix = literalPrefix(p);
        UNIVERSE.forEach((s, i) => {
          const actual = globMatches(p, s);
          if (actual !== expected[i]) expect.fail(`${p} on ${s}: globMatches ${actual}, picomatch ${expected[i]}`);
          if (actual && !`${s}/`.startsWith(prefix)) expect.fail(`${p} matches ${s} outside prefix ${prefix}`);
        });
      }),
      { numRuns: 1500 },
    );
  });

  it('globsOverlap is exact on the universe and its witness matches both', () => {
    fc.assert(
      fc.property(pattern, pattern, (a, b) => {
        const ma = universeMatches(a);
        const mb = universeMatches(b);
        const shared = UNIVERSE.filter((_, i) => ma[i] && mb[i]);
        const result = globsOverlap(a, b);
        expect(globsOverlap(b, a).overlap).toBe(result.overlap);
        if (shared.length > 0) {
          if (!result.overlap) expect.fail(`${a} and ${b} share ${shared[0]} but globsOverlap says no`);
        }
        if (result.overlap) {
          const w = result.witness;
          expect(isValidPath(w), `witness ${JSON.stringify(w)}`).toBe(true);
          expect(oracle(a)(w), `${a} on witness ${w}`).toBe(true);
          expect(oracle(b)(w), `${b} on witness ${w}`).toBe(true);
          expect(globMatches(a, w)).toBe(true);
          expect(globMatches(b, w)).toBe(true);
          // Breadth-first search gives a shortest witness.
          for (const s of shared) expect(codePoints(w)).toBeLessThanOrEqual(codePoints(s));
          const [pa, pb] = [literalPrefix(a), literalPrefix(b)];
          expect(pa.startsWith(pb) || pb.startsWith(pa)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('namesOverlap and nameCovers agree with "a name covers itself and what is below it"', () => {
    const covers = (p: string, s: string): boolean => {
      const parts = s.split('/');
      return parts.some((_, i) => oracle(p)(parts.slice(0, i + 1).join('/')));
    };
    fc.assert(
      fc.property(pattern, pattern, (a, b) => {
        const shared = UNIVERSE.filter((s) => covers(a, s) && covers(b, s));
        for (const s of UNIVERSE.slice(0, 200)) expect(nameCovers(a, s)).toBe(covers(a, s));
        const result = namesOverlap(a, b);
        if (shared.length > 0) expect(result.overlap).toBe(true);
        if (result.overlap) {
          expect(isValidPath(result.witness)).toBe(true);
          expect(nameCovers(a, result.witness) && nameCovers(b, result.witness)).toBe(true);
          expect(covers(a, result.witness) && covers(b, result.witness)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

/** Expands braces of a pattern; alternatives in the generator below do not nest. */
function expand(p: string): string[] {
  const open = p.indexOf('{');
  if (open < 0) return [p];
  const close = p.indexOf('}', open);
  const head = p.slice(0, open);
  const tail = expand(p.slice(close + 1));
  return p
    .slice(open + 1, close)
    .split(',')
    .flatMap((alt) => tail.map((t) => head + alt + t));
}

describe('braces mean the union of their expansions', () => {
  const alternative = fc.constantFrom('a', 'b', '*', '**', 'a/**', '**/a', 'a/b', '', '.a', '*/*');
  const braces = fc.array(alternative, { minLength: 2, maxLength: 3 }).map((alts) => `{${alts.join(',')}}`);
  const piece = fc.oneof(fc.constantFrom('a', 'b', '*', '/', '**', '?'), braces);
  const bracePattern = fc
    .array(piece, { minLength: 1, maxLength: 5 })
    .map((pieces) => pieces.join(''))
    .filter((p) => p.includes('{') && !hasDotDotSegment(p) && isAccepted(p));

  it('matches a path exactly when some expansion does', () => {
    fc.assert(
      fc.property(bracePattern, (p) => {
        const expansions = expand(p).map((e) => normalizePattern(e));
        UNIVERSE.forEach((s) => {
          const expected = expansions.some((e) => oracle(e)(s));
          const actual = globMatches(p, s);
          if (actual !== expected) expect.fail(`${p} on ${s}: globMatches ${actual}, expansions ${expected}`);
        });
      }),
      { numRuns: 400 },
    );
  });
});
