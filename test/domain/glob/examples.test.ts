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

/** Asserts an overlap and that the witness really is matched by both patterns. */
function expectOverlap(a: string, b: string, witness?: string | RegExp): string {
  const result = globsOverlap(a, b);
  expect(result.overlap, `${a} vs ${b}`).toBe(true);
  if (!result.overlap) throw new Error('unreachable');
  expect(globMatches(a, result.witness), `${a} matches ${result.witness}`).toBe(true);
  expect(globMatches(b, result.witness), `${b} matches ${result.witness}`).toBe(true);
  if (typeof witness === 'string') expect(result.witness).toBe(witness);
  else if (witness) expect(result.witness).toMatch(witness);
  const reversed = globsOverlap(b, a);
  expect(reversed.overlap).toBe(true);
  return result.witness;
}

function expectDisjoint(a: string, b: string): void {
  expect(globsOverlap(a, b), `${a} vs ${b}`).toEqual({ overlap: false });
  expect(globsOverlap(b, a), `${b} vs ${a}`).toEqual({ overlap: false });
}

describe('globsOverlap', () => {
  it.each([
    ['src/**', 'src/api/*.ts', 'src/api/a.ts'],
    ['src/*.ts', 'src/a*', 'src/a.ts'],
    ['{a,b}/x', 'b/*', 'b/x'],
    ['**/*.md', 'docs/**', 'docs/a.md'],
    ['src/**', 'src', 'src'],
    ['src/**', 'src/**', 'src'],
    ['**', 'deep/er/file.txt', 'deep/er/file.txt'],
    ['a/**/b', 'a/b', 'a/b'],
    ['a/**/b', 'a/x/y/b', 'a/x/y/b'],
    ['**/x', 'x', 'x'],
    ['a/**/**/b', 'a/b', 'a/b'],
    ['a/**/b/**/c', 'a/b/c', 'a/b/c'],
    ['src/*/index.ts', 'src/api/*', 'src/api/index.ts'],
    ['src/{api,web}/**', 'src/web/x.ts', 'src/web/x.ts'],
    ['src/{api,web/{a,b}}/*.ts', 'src/web/b/*', 'src/web/b/a.ts'],
    ['{src,lib}/**/*.test.ts', 'lib/util/**', 'lib/util/a.test.ts'],
    ['*.{ts,tsx}', '*.tsx', 'a.tsx'],
    ['a{,b}c', 'abc', 'abc'],
  ])('%s overlaps %s (witness %s)', (a, b, witness) => {
    expectOverlap(a, b, witness);
  });

  it.each([
    ['src/*.ts', 'test/*.ts'],
    ['src/*.ts', 'src/api/*.ts'],
    ['src/*', 'src'],
    ['src', 'src/a'],
    ['a/**/b', 'a/**/c'],
    ['*.ts', '*.js'],
    ['src/**/*.ts', 'src/**/*.md'],
    ['{a,b}/x', 'c/*'],
    ['a?', 'a'],
    ['a/*/b', 'a/b'],
    ['a**b', 'a/b'],
    ['x/**y', 'x/a/y'],
  ])('%s and %s are disjoint', (a, b) => {
    expectDisjoint(a, b);
  });

  it('finds what matching one text against the other misses', () => {
    expect(globMatches('src/*.ts', 'src/a*')).toBe(false);
    expect(globMatches('src/a*', 'src/*.ts')).toBe(false);
    expectOverlap('src/*.ts', 'src/a*', 'src/a.ts');
  });

  it('handles classes and negation', () => {
    expectOverlap('[abc].ts', '[!a].ts', 'b.ts');
    expectOverlap('[a-c]x', '[^ab]x', 'cx');
    expectDisjoint('[ab].ts', '[!ab].ts');
    expectDisjoint('[a-f]', '[0-9]');
    expectOverlap('[]a]', ']', ']');
    expectOverlap('[a-]', '-', '-');
    expectOverlap('[\\]]x', ']x', ']x');
    // A negated class ranges over all of Unicode, not over a small alphabet.
    expectOverlap('[!a-z]', 'é', 'é');
    expectOverlap('[^a-zA-Z0-9]', '?', '-');
    expectOverlap('[!a]', '😀', '😀');
    // ...but never over the separator.
    expectDisjoint('a[!b]c', 'a/c');
  });

  it('lets wildcards match dotfiles', () => {
    expectOverlap('src/**', 'src/.env', 'src/.env');
    expectOverlap('*', '.gitignore', '.gitignore');
    expectOverlap('?env', '.env', '.env');
    expectOverlap('**/.*', 'a/b/*', 'a/b/.a');
    // A witness avoids dotfiles when the patterns allow it.
    expectOverlap('**/*.md', 'docs/**', 'docs/a.md');
  });

  it('never produces a witness with an empty, "." or ".." segment', () => {
    expectDisjoint('?', '.');
    expectDisjoint('a/?', 'a/.');
    expectDisjoint('a/??', 'a/[.][.]');
    expectDisjoint('*', '.');
    expectDisjoint('a/.', 'a/*');
    expectDisjoint('.', '**');
    expectOverlap('a/?', 'a/[.x]', 'a/x');
    expectOverlap('a/???', 'a/[.][.]*', /^a\/\.\.[^/]$/);
    expectOverlap('*/..x', 'a/*', 'a/..x');
  });

  it('treats escapes as literals', () => {
    expectOverlap('\\*', '*', '*');
    expectDisjoint('\\*', 'a');
    expectOverlap('a\\?', 'a?', 'a?');
    expectDisjoint('a\\?', 'ab');
    expectOverlap('\\{a,b\\}', '\\{*', '{a,b}');
    expectDisjoint('\\{a,b\\}', '{a,b}');
    expectOverlap('a\\/b', 'a/*', 'a/b');
    expectOverlap('\\[x]', '[[]x]', '[x]');
  });

  it('treats ** that is not a whole segment as *', () => {
    expectOverlap('a**b', 'axyb', 'axyb');
    expectDisjoint('a**b', 'a/b');
    expectDisjoint('**.ts', 'a/b.ts');
    expectOverlap('**.ts', 'b.ts', 'b.ts');
    expectDisjoint('a/***', 'a');
  });

  it('judges ** inside braces on each expansion', () => {
    expectOverlap('{**,a}/b', 'b', 'b');
    expectOverlap('{**,a}/b', 'x/y/b', 'x/y/b');
    expectOverlap('a/{b,**}', 'a', 'a');
    expectOverlap('a/{**/,}c', 'a/c', 'a/c');
    expectOverlap('x/{a/**,b}', 'x/a', 'x/a');
  });

  it('normalises both sides before comparing', () => {
    expectOverlap('./src//api/', 'src/api', 'src/api');
  });

  it('throws GlobSyntaxError for a refused pattern on either side', () => {
    expect(() => globsOverlap('src/**', '../x')).toThrow(GlobSyntaxError);
    expect(() => globsOverlap('[a', 'src/**')).toThrow(GlobSyntaxError);
  });
});

describe('globMatches', () => {
  it.each([
    ['src', 'src', true],
    ['src', 'src/a', false],
    ['src/**', 'src', true],
    ['src/**', 'src/a/b', true],
    ['src/**', 'srcx', false],
    ['src/', 'src', true],
    ['src/', 'src/a', false],
    ['*', 'a', true],
    ['*', 'a/b', false],
    ['*.ts', '.ts', true],
    ['**', 'a/b/c', true],
    ['**/b', 'b', true],
    ['**/b', 'a/b', true],
    ['**/b', 'ab', false],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/.y/b', true],
    ['a/**/b', 'ab', false],
    ['?', 'é', true],
    ['?', '😀', true],
    ['??', '😀', false],
    ['{a,b/c}', 'b/c', true],
    ['{a}', 'a', false],
    ['{a}', '{a}', true],
    ['{}', '{}', true],
    ['a,b', 'a,b', true],
    ['a}', 'a}', true],
    ['a]', 'a]', true],
    ['(a|b)', '(a|b)', true],
    ['a\\!', 'a!', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(globMatches(pattern, path)).toBe(expected);
  });

  it.each(['', '/a', 'a/', 'a//b', './a', 'a/./b', 'a/../b', '..', '.'])('matches no invalid path %j', (path) => {
    expect(globMatches('**', path)).toBe(false);
    expect(globMatches('*', path)).toBe(false);
  });
});

describe('normalizePattern', () => {
  it.each([
    ['./src//api/', 'src/api'],
    ['././src', 'src'],
    ['.//src', 'src'],
    ['src/', 'src'],
    ['src///a//b', 'src/a/b'],
    ['src/**/', 'src/**'],
    ['a\\/b', 'a/b'],
    ['.', '.'],
    ['.a/b', '.a/b'],
    ['src/*.{ts,tsx}', 'src/*.{ts,tsx}'],
    ['\\!x', '\\!x'],
  ])('%j → %j', (raw, normalized) => {
    expect(normalizePattern(raw)).toBe(normalized);
  });

  it('is idempotent', () => {
    for (const raw of ['./src//api/', 'a/{b,c}/**', '[!a]?', '\\*x/']) {
      const once = normalizePattern(raw);
      expect(normalizePattern(once)).toBe(once);
    }
  });

  const deep = (n: number): string => '{a,'.repeat(n) + 'b' + '}'.repeat(n);
  it.each([
    ['', /empty pattern/],
    ['./', /empty pattern/],
    ['/src', /absolute/],
    ['//src', /absolute/],
    ['C:/src', /drive letter/],
    ['c:src', /drive letter/],
    ['\\\\server\\share', /UNC/],
    ['\\/src', /absolute/],
    ['..', /"\.\." segments/],
    ['../src', /"\.\." segments/],
    ['src/../x', /"\.\." segments/],
    ['src/..', /"\.\." segments/],
    ['./..', /"\.\." segments/],
    ['\\.\\./x', /"\.\." segments/],
    ['{a,..}/x', /"\.\." segments/],
    ['a/{.,b}.', /"\.\." segments/],
    ['a/{..,b}', /"\.\." segments/],
    ['a\u0000b', /control character U\+0000/],
    ['a\nb', /control character U\+000A/],
    ['a\u007fb', /control character/],
    ['a\u0085b', /control character/],
    ['a\ud800b', /surrogate/],
    ['src/[a', /unclosed "\["/],
    ['src/[!a', /unclosed "\["/],
    ['[\\]', /unclosed "\["/],
    ['src/{a,b', /unclosed "\{"/],
    ['src/{a,{b,c}', /unclosed "\{"/],
    ['[]', /empty character class/],
    ['x[!]', /empty character class/],
    ['[^]', /empty character class/],
    ['[z-a]', /reversed range z-a/],
    ['[a-c9-0]', /reversed range 9-0/],
    ['src\\', /dangling/],
    ['x'.repeat(1025), /longer than 1024/],
    ['{' + Array.from({ length: 65 }, (_, i) => `a${i}`).join(',') + '}', /more than 64 brace alternatives/],
    ['{a,b}/'.repeat(32) + '{a,b,c}', /more than 64 brace alternatives/],
    [deep(9), /nested deeper than 8/],
    ['a/{,b}/c', /empty segment/],
    ['{/a,b}', /absolute/],
    ['{a/,b}', /ends the pattern with "\/"/],
    ['{a/,b}**', /whole segment in some brace expansions/],
    ['!src/**', /negated patterns/],
    ['[[:alpha:]]', /POSIX/],
    ['{1..3}', /brace ranges/],
    ['a[/]b', /"\/" inside a character class/],
  ])('refuses %j', (raw, message) => {
    let error: unknown;
    try {
      normalizePattern(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GlobSyntaxError);
    const syntax = error as GlobSyntaxError;
    expect(syntax.message).toMatch(message);
    expect(syntax.name).toBe('GlobSyntaxError');
    expect(syntax.hint.length).toBeGreaterThan(10);
  });

  it('accepts the limits themselves', () => {
    expect(normalizePattern('x'.repeat(1024))).toHaveLength(1024);
    expect(normalizePattern(deep(8))).toBe(deep(8));
    const sixtyFour = '{' + Array.from({ length: 64 }, (_, i) => `a${i}`).join(',') + '}';
    expect(normalizePattern(sixtyFour)).toBe(sixtyFour);
    expect(normalizePattern('a..b/..c/c..')).toBe('a..b/..c/c..');
  });
});

describe('literalPrefix', () => {
  it.each([
    ['src/api/*.ts', 'src/api/'],
    ['src/**', 'src/'],
    ['*.ts', ''],
    ['src/a.ts', 'src/'],
    ['src/{a,b}/x', 'src/'],
    ['src', ''],
    ['**', ''],
    ['./src//api/', 'src/'],
    ['a\\*b/c/d*', 'a*b/c/'],
    ['a/{b}/c', 'a/{b}/'],
    ['src/[ab]/x', 'src/'],
  ])('%s → %j', (pattern, prefix) => {
    expect(literalPrefix(pattern)).toBe(prefix);
  });
});

describe('hierarchical names', () => {
  it('a name covers itself and what is below it', () => {
    expect(namesOverlap('area:billing', 'area:billing/api')).toEqual({ overlap: true, witness: 'area:billing/api' });
    expect(namesOverlap('area:billing/api', 'area:billing')).toEqual({ overlap: true, witness: 'area:billing/api' });
    expect(namesOverlap('area:billing', 'area:billing')).toEqual({ overlap: true, witness: 'area:billing' });
    expect(namesOverlap('area:billing', 'area:billingx')).toEqual({ overlap: false });
    expect(namesOverlap('area:billing/a', 'area:billing/b')).toEqual({ overlap: false });
  });

  it('names may be globs', () => {
    const result = namesOverlap('test/unit/*', 'test/unit/db');
    expect(result).toEqual({ overlap: true, witness: 'test/unit/db' });
    const below = namesOverlap('test/*/db', 'test/unit');
    expect(below).toEqual({ overlap: true, witness: 'test/unit/db' });
    expect(namesOverlap('test/*.spec', 'test/a')).toEqual({ overlap: false });
    const both = namesOverlap('suite:{a,b}', 'suite:b/x');
    expect(both).toEqual({ overlap: true, witness: 'suite:b/x' });
  });

  it('a name glob with ** covers the name itself', () => {
    expect(namesOverlap('test/**', 'test')).toEqual({ overlap: true, witness: 'test' });
    expect(namesOverlap('svc:*', 'svc:api/v1')).toEqual({ overlap: true, witness: 'svc:api/v1' });
  });

  it('nameCovers', () => {
    expect(nameCovers('area:billing', 'area:billing')).toBe(true);
    expect(nameCovers('area:billing', 'area:billing/api/v2')).toBe(true);
    expect(nameCovers('area:billing', 'area:billingx')).toBe(false);
    expect(nameCovers('area:billing', 'area')).toBe(false);
    expect(nameCovers('test/*', 'test/a/b')).toBe(true);
    expect(nameCovers('area:billing', 'area:billing/')).toBe(false);
  });

  it('names skip the drive-letter check but keep the others', () => {
    expect(nameCovers('q:queue', 'q:queue/x')).toBe(true);
    expect(() => namesOverlap('../x', 'a')).toThrow(GlobSyntaxError);
    expect(() => globsOverlap('q:queue', 'a')).toThrow(/drive letter/);
  });
});

describe('complexity', () => {
  const stars = (c: string, n: number): string => Array.from({ length: n }, () => `*${c}`).join('') + '*';

  it('refuses a pathological pair instead of stalling', () => {
    let error: unknown;
    try {
      globsOverlap(stars('a', 500), stars('b', 500));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GlobSyntaxError);
    expect((error as GlobSyntaxError).message).toBe('pattern too complex');
  });

  it('still decides large but reasonable pairs exactly', () => {
    const witness = expectOverlap(stars('a', 100), stars('b', 100));
    expect(witness.replace(/[^a]/g, '')).toHaveLength(100);
  });

  it('compiles the largest allowed patterns', () => {
    const big = 'a'.repeat(700) + '/' + Array.from({ length: 32 }, (_, i) => `{x${i},y}`).join('/');
    expect(() => normalizePattern(big)).not.toThrow();
    expect(globsOverlap(big.replace(/\{x(\d+),y\}/g, 'y'), big).overlap).toBe(true);
  });

  it('answers 10,000 typical overlap queries', () => {
    const patterns = [
      'src/**',
      'src/api/*.ts',
      'src/api/users.ts',
      'src/web/**/*.tsx',
      'test/**',
      'docs/*.md',
      '**/*.md',
      'package.json',
      'src/{api,web}/index.ts',
      'src/domain/glob/*.ts',
    ];
    let overlaps = 0;
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) {
      const a = patterns[i % patterns.length]!;
      const b = patterns[(i * 7 + 3) % patterns.length]!;
      if (globsOverlap(a, b).overlap) overlaps++;
    }
    const elapsed = performance.now() - started;
    expect(overlaps).toBeGreaterThan(0);
    expect(overlaps).toBeLessThan(10_000);
    console.info(`10,000 overlap queries in ${elapsed.toFixed(1)} ms`);
  });
});
