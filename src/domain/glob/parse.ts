// Glob dialect of fleetdeck scope claims
// =====================================
//
// A `path` claim is a glob relative to the workspace root. Two claims conflict when some concrete
// path matches both; this is decided exactly on automata (overlap.ts), never by matching one
// pattern's text against the other (that would miss `src/*.ts` vs `src/a*`, which share
// `src/a.ts`).
//
// Paths
//   A path is a non-empty sequence of non-empty segments separated by `/`, with no leading or
//   trailing `/` and no segment equal to `.` or `..`. Nothing else is a path: no pattern matches
//   anything else and no witness is ever anything else. A pattern matches a whole path, never a
//   prefix of it: `src` matches only `src`. Characters are Unicode code points.
//
// Syntax
//   *        any run, possibly empty, of characters other than `/` (stays within one segment).
//   ?        exactly one character other than `/` (one code point; picomatch counts UTF-16 units).
//   [...]    one character from a class: members, ranges `a-z`, negation `[!...]` or `[^...]`.
//            A `]` right after `[`, `[!` or `[^` is a member, a `-` first or last is a member and
//            `\` escapes inside a class. A class never matches `/`; writing `/` in one is refused,
//            and so are POSIX classes such as `[[:alpha:]]`.
//   {a,b}    alternation. Alternatives may be empty (`{,x}`), nested, and may contain `/` and
//            wildcards. A brace pair without a top-level comma is literal text, as in bash and
//            picomatch (`{a}` matches the file named `{a}`). Brace ranges (`{1..3}`) are refused.
//   **       as a whole segment (`src/**`, `**/x`, `a/**/b`) matches zero or more whole segments:
//            `a/**/b` matches `a/b` and `a/x/y/b`, `**/x` matches `x`, and `src/**` matches
//            `src/a`, `src/a/b` and also `src` itself, as picomatch does. Anywhere else (`a**b`,
//            `**.ts`, `x/**y`) it is a plain `*`, as in picomatch; so is a run of three or more
//            stars. Inside braces, "whole segment" is judged on each brace expansion:
//            `{**,a}/b` means `**/b` or `a/b`, so it matches `b` (picomatch does not). A `**`
//            that is a whole segment in some expansions and not in others (`{a/,b}**`) is refused
//            as ambiguous. Stars that only meet through braces (`*{*,a}`) are not a `**`.
//   \x       the character `x` literally (`\*`, `\{`, `\\`); `\/` is a separator.
//   Everything else is literal, including `( ) | + @ !` (no extglobs). A leading `!`, negation in
//   other tools, is refused; write `\!` for a literal one.
//
// Dotfiles
//   Wildcards match names that begin with a dot (picomatch's `dot: true`): `src/**` covers
//   `src/.env` and `*` matches `.gitignore`. This errs on the side of reporting a conflict. A
//   pattern segment `.` is accepted but, like `src/.`, matches nothing.
//
// Normalisation (normalizePattern)
//   Leading `./` is stripped (repeatedly), runs of `/` collapse to one and a trailing `/` is
//   dropped: `./src//api/` is `src/api`. So `src/` is simply `src` (the path `src`); it does NOT
//   mean `src/**`. Nothing else is rewritten.
//
// Refused, with a GlobSyntaxError that carries a `hint`
//   an empty pattern; an absolute one (leading `/`, a drive such as `C:`, a leading `\\`); any `..`
//   segment, also when only some brace expansion makes one (`{a,..}/x`); a brace expansion that
//   starts with `/`, ends with `/` or makes an empty segment (`a/{,b}/c`: write `a/{b/,}c`);
//   NUL and other control characters (C0, DEL, C1); lone UTF-16 surrogates; an unclosed `[` or
//   `{`; an empty class `[]`; a reversed range `[z-a]`; a dangling trailing `\`; more than 1024
//   characters (UTF-16 units); more than 64 brace alternatives in total; braces nested deeper
//   than 8; and a pair of patterns whose product automaton is too large to search
//   ("pattern too complex").
//
// Hierarchical names (the `resource` and `test` claim kinds) use the same syntax without the
// drive-letter check, and a name also covers everything below it: `area:billing` covers
// `area:billing/api` but not `area:billingx`.
//
// Indexing: literalPrefix(p) is the run of whole literal segments at the start of p, each with its
// `/` (`src/api/*.ts` → `src/api/`). Every path x that p matches has `(x + '/').startsWith(prefix)`
// (the `+ '/'` because `src/**` matches `src`), so two patterns can only overlap when one's prefix
// is a prefix of the other's.

import {
  type CharSet,
  DOT,
  NOT_SLASH,
  SLASH,
  fromRanges,
  intersect,
  singleton,
  subtract,
} from './charset.js';

export class GlobSyntaxError extends Error {
  readonly hint: string;

  constructor(message: string, hint: string) {
    super(message);
    this.name = 'GlobSyntaxError';
    this.hint = hint;
  }
}

export type PatternKind = 'path' | 'name';

export const MAX_PATTERN_LENGTH = 1024;
export const MAX_BRACE_ALTERNATIVES = 64;
export const MAX_BRACE_DEPTH = 8;

/** One character: a literal, `?` or a class. `literal` is the code point of a literal, else -1. */
export interface CharNode {
  readonly kind: 'char';
  readonly set: CharSet;
  readonly literal: number;
}
export interface SlashNode {
  readonly kind: 'slash';
}
export interface StarNode {
  readonly kind: 'star';
}
/**
 * A `**` token. After analysis, `globstar` says whether it is a whole segment; `before`/`after`
 * are the separators that can sit right before/after it, one of which a zero-segment match drops.
 */
export interface DoubleStarNode {
  readonly kind: 'doublestar';
  globstar: boolean;
  before: SlashNode[];
  after: SlashNode[];
}
export interface SeqNode {
  readonly kind: 'seq';
  readonly items: Node[];
}
export interface AltNode {
  readonly kind: 'alt';
  readonly alts: SeqNode[];
}
export type LeafNode = CharNode | SlashNode | StarNode | DoubleStarNode;
export type Node = LeafNode | SeqNode | AltNode;

export interface ParsedPattern {
  readonly normalized: string;
  readonly ast: SeqNode;
  /** See `literalPrefix` in index.ts. */
  readonly prefix: string;
  /** The trailing literal characters of the last segment: every matched path ends with them. */
  readonly suffix: string;
}

type Token =
  | { readonly t: 'lit'; readonly cp: number; readonly raw: string }
  | { readonly t: 'slash' }
  | { readonly t: 'star'; readonly n: number }
  | { readonly t: 'any' }
  | { readonly t: 'class'; readonly set: CharSet; readonly raw: string }
  | { readonly t: 'open' }
  | { readonly t: 'comma' }
  | { readonly t: 'close' };

const BACKSLASH = 0x5c;
const STAR = 0x2a;
const QUESTION = 0x3f;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const COMMA = 0x2c;
const BANG = 0x21;
const CARET = 0x5e;
const DASH = 0x2d;
const COLON = 0x3a;

type Fail = (problem: string, hint: string) => never;

function failer(raw: string): Fail {
  const shown = raw.length > 80 ? `${raw.slice(0, 77)}...` : raw;
  return (problem, hint) => {
    throw new GlobSyntaxError(`invalid pattern ${JSON.stringify(shown)}: ${problem}`, hint);
  };
}

export function parsePattern(raw: string, kind: PatternKind = 'path'): ParsedPattern {
  const fail = failer(raw);
  if (raw.length > MAX_PATTERN_LENGTH) {
    fail(`longer than ${MAX_PATTERN_LENGTH} characters`, 'claim a broader directory glob instead');
  }
  if (raw.startsWith('/')) fail('absolute path', 'patterns are relative to the workspace root: drop the leading "/"');
  if (raw.startsWith('\\\\')) fail('absolute (UNC) path', 'patterns are relative to the workspace root');
  if (kind === 'path' && /^[A-Za-z]:/.test(raw)) {
    fail('absolute path with a drive letter', 'patterns are relative to the workspace root, with "/" separators');
  }
  const cps: number[] = [];
  for (const ch of raw) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
      fail(`control character U+${cp.toString(16).padStart(4, '0').toUpperCase()}`, 'remove control characters and NUL bytes');
    }
    if (cp >= 0xd800 && cp <= 0xdfff) fail('lone UTF-16 surrogate', 'the pattern must be valid Unicode');
    cps.push(cp);
  }

  const tokens = normalizeTokens(tokenize(cps, fail), fail);
  const normalized = tokens.map(serialize).join('');
  const ast = buildAst(tokens);
  analyse(ast, fail);
  return { normalized, ast, prefix: prefixOf(tokens), suffix: suffixOf(tokens) };
}

export function normalizePattern(raw: string): string {
  return parsePattern(raw, 'path').normalized;
}

function tokenize(cps: readonly number[], fail: Fail): Token[] {
  const tokens: Token[] = [];
  const open: Array<{ token: number; at: number; commas: number }> = [];
  let alternatives = 0;
  const n = cps.length;
  for (let i = 0; i < n; i++) {
    const c = cps[i]!;
    switch (c) {
      case BACKSLASH: {
        if (i + 1 >= n) fail('dangling "\\" at the end', 'escape a literal backslash as "\\\\" or remove it');
        const e = cps[++i]!;
        tokens.push(e === SLASH ? { t: 'slash' } : { t: 'lit', cp: e, raw: `\\${String.fromCodePoint(e)}` });
        break;
      }
      case STAR: {
        let run = 1;
        while (cps[i + 1] === STAR) {
          run++;
          i++;
        }
        tokens.push({ t: 'star', n: run });
        break;
      }
      case QUESTION:
        tokens.push({ t: 'any' });
        break;
      case SLASH:
        tokens.push({ t: 'slash' });
        break;
      case LBRACKET: {
        const { set, end } = readClass(cps, i, fail);
        tokens.push({ t: 'class', set, raw: String.fromCodePoint(...cps.slice(i, end + 1)) });
        i = end;
        break;
      }
      case LBRACE:
        if (open.length >= MAX_BRACE_DEPTH) {
          fail(`braces nested deeper than ${MAX_BRACE_DEPTH}`, 'flatten the alternation or split the claim');
        }
        open.push({ token: tokens.length, at: i, commas: 0 });
        tokens.push({ t: 'open' });
        break;
      case COMMA:
        if (open.length > 0) {
          open[open.length - 1]!.commas++;
          tokens.push({ t: 'comma' });
        } else {
          tokens.push({ t: 'lit', cp: c, raw: ',' });
        }
        break;
      case RBRACE: {
        const group = open.pop();
        if (group === undefined) {
          tokens.push({ t: 'lit', cp: c, raw: '}' });
        } else if (group.commas === 0) {
          if (String.fromCodePoint(...cps.slice(group.at + 1, i)).includes('..')) {
            fail('brace ranges such as {1..3} are not supported', 'list the alternatives: {1,2,3}');
          }
          tokens[group.token] = { t: 'lit', cp: LBRACE, raw: '{' };
          tokens.push({ t: 'lit', cp: RBRACE, raw: '}' });
        } else {
          alternatives += group.commas + 1;
          if (alternatives > MAX_BRACE_ALTERNATIVES) {
            fail(`more than ${MAX_BRACE_ALTERNATIVES} brace alternatives`, 'use a broader glob or split the claim');
          }
          tokens.push({ t: 'close' });
        }
        break;
      }
      default:
        tokens.push({ t: 'lit', cp: c, raw: String.fromCodePoint(c) });
    }
  }
  if (open.length > 0) fail('unclosed "{"', 'close the alternation with "}" or escape it as "\\{"');
  return tokens;
}

/** Reads the class starting at `cps[start] === '['`; returns its set and the index of its `]`. */
function readClass(cps: readonly number[], start: number, fail: Fail): { set: CharSet; end: number } {
  const n = cps.length;
  let j = start + 1;
  let negate = false;
  if (cps[j] === BANG || cps[j] === CARET) {
    negate = true;
    j++;
  }
  const bodyStart = j;
  const ranges: Array<[number, number]> = [];
  for (; j < n; j++) {
    let lo = cps[j]!;
    if (lo === RBRACKET && j > bodyStart) {
      const members = fromRanges(ranges);
      return { set: negate ? subtract(NOT_SLASH, members) : intersect(members, NOT_SLASH), end: j };
    }
    if (lo === LBRACKET && cps[j + 1] === COLON) {
      fail('POSIX character classes are not supported', 'spell the class out, e.g. [a-zA-Z]');
    }
    if (lo === BACKSLASH) {
      if (j + 1 >= n) break;
      lo = cps[++j]!;
    }
    let hi = lo;
    if (cps[j + 1] === DASH && j + 2 < n && cps[j + 2] !== RBRACKET) {
      j += 2;
      hi = cps[j]!;
      if (hi === BACKSLASH) {
        if (j + 1 >= n) break;
        hi = cps[++j]!;
      }
      if (hi < lo) {
        fail(
          `reversed range ${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)} in a class`,
          `write it low to high: ${String.fromCodePoint(hi)}-${String.fromCodePoint(lo)}`,
        );
      }
    }
    if (lo === SLASH && hi === SLASH) {
      fail('"/" inside a character class', 'a class never matches the separator; write the "/" outside it');
    }
    ranges.push([lo, hi]);
  }
  if (cps[bodyStart] === RBRACKET) {
    // `]` right after `[` is a member, so `[]` is only "empty" when no later `]` closes it.
    fail('empty character class "[]"', 'put members in the class, or escape the bracket as "\\["');
  }
  return fail('unclosed "["', 'close the class with "]" or escape the bracket as "\\["');
}

function normalizeTokens(tokens: Token[], fail: Fail): Token[] {
  const out: Token[] = [];
  for (const tok of tokens) {
    if (tok.t === 'slash' && out[out.length - 1]?.t === 'slash') continue;
    out.push(tok);
  }
  let skip = 0;
  for (;;) {
    const first = out[skip];
    if (first?.t === 'lit' && first.cp === DOT && out[skip + 1]?.t === 'slash') skip += 2;
    else break;
  }
  out.splice(0, skip);
  if (out[out.length - 1]?.t === 'slash') out.pop();
  const first = out[0];
  if (first === undefined) fail('empty pattern', 'name a file, a directory glob such as "src/**", or "**" for everything');
  if (first.t === 'slash') fail('absolute path', 'patterns are relative to the workspace root: drop the leading "/"');
  if (first.t === 'lit' && first.raw === '!') {
    fail('negated patterns are not supported', 'claim what you will edit; write "\\!" for a literal "!"');
  }
  return out;
}

function serialize(tok: Token): string {
  switch (tok.t) {
    case 'lit':
    case 'class':
      return tok.raw;
    case 'slash':
      return '/';
    case 'star':
      return '*'.repeat(tok.n);
    case 'any':
      return '?';
    case 'open':
      return '{';
    case 'comma':
      return ',';
    case 'close':
      return '}';
  }
}

function buildAst(tokens: readonly Token[]): SeqNode {
  let i = 0;
  const seq = (): SeqNode => {
    const items: Node[] = [];
    for (; i < tokens.length; i++) {
      const tok = tokens[i]!;
      switch (tok.t) {
        case 'comma':
        case 'close':
          return { kind: 'seq', items };
        case 'open': {
          const alts: SeqNode[] = [];
          for (;;) {
            i++;
            alts.push(seq());
            if (tokens[i]?.t !== 'comma') break;
          }
          items.push({ kind: 'alt', alts });
          break;
        }
        case 'lit':
          items.push({ kind: 'char', set: singleton(tok.cp), literal: tok.cp });
          break;
        case 'any':
          items.push({ kind: 'char', set: NOT_SLASH, literal: -1 });
          break;
        case 'class':
          items.push({ kind: 'char', set: tok.set, literal: -1 });
          break;
        case 'slash':
          items.push({ kind: 'slash' });
          break;
        case 'star':
          items.push(tok.n === 2 ? { kind: 'doublestar', globstar: false, before: [], after: [] } : { kind: 'star' });
          break;
      }
    }
    return { kind: 'seq', items };
  };
  return seq();
}

/**
 * Decides, on every brace expansion at once, which tokens can be adjacent. This uses the
 * Glushkov construction over tokens (first / last / follow sets), which is exact: two tokens are
 * adjacent in `follow` exactly when some expansion has them side by side. With it we refuse `..`
 * segments and malformed separators that only some expansion produces, and decide which `**` are
 * whole segments.
 */
function analyse(ast: SeqNode, fail: Fail): void {
  const leaves: LeafNode[] = [];
  const follow: Array<Set<number>> = [];
  interface Info {
    first: number[];
    last: number[];
    nullable: boolean;
  }
  const visit = (node: Node): Info => {
    switch (node.kind) {
      case 'seq': {
        let first: number[] = [];
        let last: number[] = [];
        let nullable = true;
        for (const item of node.items) {
          const info = visit(item);
          for (const p of last) for (const q of info.first) follow[p]!.add(q);
          if (nullable) first = first.concat(info.first);
          last = info.nullable ? [...new Set(last.concat(info.last))] : info.last;
          nullable &&= info.nullable;
        }
        return { first, last, nullable };
      }
      case 'alt': {
        const first = new Set<number>();
        const last = new Set<number>();
        let nullable = false;
        for (const alt of node.alts) {
          const info = visit(alt);
          for (const p of info.first) first.add(p);
          for (const p of info.last) last.add(p);
          nullable ||= info.nullable;
        }
        return { first: [...first], last: [...last], nullable };
      }
      default: {
        const index = leaves.length;
        leaves.push(node);
        follow.push(new Set());
        return { first: [index], last: [index], nullable: false };
      }
    }
  };
  const root = visit(ast);
  const n = leaves.length;
  const atStart = new Uint8Array(n);
  const atEnd = new Uint8Array(n);
  for (const p of root.first) atStart[p] = 1;
  for (const p of root.last) atEnd[p] = 1;
  const slashBefore: number[][] = leaves.map(() => []);
  const otherBefore = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    for (const q of follow[p]!) {
      if (leaves[p]!.kind === 'slash') slashBefore[q]!.push(p);
      else otherBefore[q] = 1;
    }
  }
  const isSlash = (p: number): boolean => leaves[p]!.kind === 'slash';
  const isDot = (p: number): boolean => {
    const leaf = leaves[p]!;
    return leaf.kind === 'char' && leaf.literal === DOT;
  };
  const startsSegment = (p: number): boolean => atStart[p] === 1 || slashBefore[p]!.length > 0;
  const endsSegment = (p: number): boolean => atEnd[p] === 1 || [...follow[p]!].some(isSlash);

  for (let p = 0; p < n; p++) {
    const leaf = leaves[p]!;
    if (leaf.kind === 'slash') {
      if (atStart[p]) fail('a brace alternative makes the path absolute', 'move the "/" out of the braces, after them');
      if (atEnd[p]) fail('a brace alternative ends the pattern with "/"', 'drop the trailing "/" inside the braces');
      if ([...follow[p]!].some(isSlash)) {
        fail('a brace expansion produces an empty segment "//"', 'put one "/" inside the alternatives, e.g. a/{b/,}c');
      }
    } else if (isDot(p) && startsSegment(p)) {
      for (const q of follow[p]!) {
        if (isDot(q) && endsSegment(q)) {
          fail('".." segments are not allowed', 'patterns cannot leave the workspace; name the path from the root');
        }
      }
    } else if (leaf.kind === 'doublestar' && startsSegment(p) && endsSegment(p)) {
      if (otherBefore[p] || [...follow[p]!].some((q) => !isSlash(q))) {
        fail(
          '"**" is a whole segment in some brace expansions but not in others',
          'make "**" a whole segment in every alternative (e.g. {a/**,b/*}) or use "*"',
        );
      }
      leaf.globstar = true;
      leaf.before = slashBefore[p]!.map((q) => leaves[q] as SlashNode);
      leaf.after = [...follow[p]!].map((q) => leaves[q] as SlashNode);
    }
  }
}

/**
 * The longest run of whole literal segments at the start, each followed by `/`. Every path `p` the
 * pattern matches satisfies `(p + '/').startsWith(prefix)` (the `+ '/'` is needed because `src/**`
 * matches `src`).
 */
function prefixOf(tokens: readonly Token[]): string {
  let prefix = '';
  let segment = '';
  for (const tok of tokens) {
    if (tok.t === 'slash') {
      prefix += `${segment}/`;
      segment = '';
    } else if (tok.t === 'lit') {
      segment += String.fromCodePoint(tok.cp);
    } else {
      break;
    }
  }
  return prefix;
}

function suffixOf(tokens: readonly Token[]): string {
  let suffix = '';
  for (let i = tokens.length - 1; i >= 0; i--) {
    const tok = tokens[i]!;
    if (tok.t !== 'lit') break;
    suffix = String.fromCodePoint(tok.cp) + suffix;
  }
  return suffix;
}
