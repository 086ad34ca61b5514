import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALPHABET,
  MAX_CODE_POINT,
  NOT_SLASH,
  complement,
  fromRanges,
  has,
  hasOrdinary,
  intersect,
  pickOrdinary,
  subtract,
  union,
} from '../../../src/domain/glob/charset.js';

const cp = (c: string): number => c.codePointAt(0)!;

describe('charset', () => {
  it('normalises ranges: sorted, merged when overlapping or adjacent', () => {
    expect(fromRanges([[cp('x'), cp('z')], [cp('a'), cp('c')], [cp('d'), cp('f')], [cp('b'), cp('b')]])).toEqual([
      cp('a'),
      cp('f'),
      cp('x'),
      cp('z'),
    ]);
    expect(fromRanges([[5, 3]])).toEqual([]);
  });

  it('intersects, complements and subtracts over all of Unicode', () => {
    const az = fromRanges([[cp('a'), cp('z')]]);
    const digitsAndM = fromRanges([[cp('0'), cp('9')], [cp('m'), cp('m')]]);
    expect(intersect(az, digitsAndM)).toEqual([cp('m'), cp('m')]);
    expect(complement(az)).toEqual([0, cp('a') - 1, cp('z') + 1, MAX_CODE_POINT]);
    expect(complement(complement(az))).toEqual(az);
    expect(has(subtract(NOT_SLASH, az), cp('é'))).toBe(true);
    expect(has(subtract(NOT_SLASH, az), cp('q'))).toBe(false);
    expect(has(NOT_SLASH, cp('/'))).toBe(false);
    expect(has(ALPHABET, 0)).toBe(false);
    expect(has(ALPHABET, 0xd800)).toBe(false);
    expect(has(ALPHABET, 0x1f600)).toBe(true);
  });

  it('picks witness characters by preference, never "." or "/"', () => {
    expect(pickOrdinary(NOT_SLASH)).toBe(cp('a'));
    expect(pickOrdinary(fromRanges([[cp('0'), cp('z')]]))).toBe(cp('a'));
    expect(pickOrdinary(fromRanges([[cp('.'), cp('9')]]))).toBe(cp('0'));
    expect(pickOrdinary(fromRanges([[cp('.'), cp('/')]]))).toBe(-1);
    expect(pickOrdinary(fromRanges([[cp('!'), cp('/')]]))).toBe(cp('-'));
    expect(pickOrdinary(fromRanges([[0x1f600, 0x1f600]]))).toBe(0x1f600);
    expect(hasOrdinary(fromRanges([[cp('.'), cp('/')]]))).toBe(false);
    expect(hasOrdinary(fromRanges([[cp('-'), cp('.')]]))).toBe(true);
  });

  it('set operations agree with membership', () => {
    const range = fc
      .tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 20 }))
      .map(([lo, len]) => [lo, lo + len] as [number, number]);
    const set = fc.array(range, { maxLength: 5 }).map((ranges) => fromRanges(ranges));
    fc.assert(
      fc.property(set, set, fc.integer({ min: 0, max: 230 }), (a, b, c) => {
        expect(has(intersect(a, b), c)).toBe(has(a, c) && has(b, c));
        expect(has(union(a, b), c)).toBe(has(a, c) || has(b, c));
        expect(has(subtract(a, b), c)).toBe(has(a, c) && !has(b, c));
        expect(has(complement(a), c)).toBe(!has(a, c));
        const picked = pickOrdinary(a);
        if (picked >= 0) expect(has(a, picked)).toBe(true);
        expect(picked >= 0).toBe(hasOrdinary(a));
      }),
      { numRuns: 500 },
    );
  });
});
