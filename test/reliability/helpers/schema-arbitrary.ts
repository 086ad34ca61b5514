/**
 * fast-check arbitraries driven by a tool's advertised JSON Schema (tools/list), so a new tool or
 * field is fuzzed without touching the suite. Three flavours of arguments:
 * - near-valid: every field shaped as the schema says, ids drawn from the live fixture, with a
 *   small chance of a hostile value at any depth;
 * - mutated: a near-valid object with one field (or an unknown extra one) replaced by a hostile
 *   value, or a required field dropped;
 * - arbitrary JSON objects.
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

/** Known ids by prefix (run, agt, art, hof, blk, clm, tok), so near-valid calls reach the handlers. */
export type IdPool = Record<string, string[]>;

const HUGE_LENGTHS = [1_025, 4_001, 32_001, 200_000, 15_000_000];
const huge = new Map<number, string>();
function hugeString(n: number): string {
  if (!huge.has(n)) huge.set(n, 'A'.repeat(n));
  return huge.get(n)!;
}

/** Values a careless or hostile client sends where something else was expected. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -1_000_000_000, max: -1 }),
  fc.constantFrom(0, -1, 2 ** 53 + 1, 1e308, -1e308, 0.5, Number.MAX_SAFE_INTEGER),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\u202e', '../../etc/passwd', '/proc/self/environ', 'run_', 'agt_ZZZ', '💥'.repeat(300), '<script>'),
  fc.constantFrom(...HUGE_LENGTHS).map(hugeString),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type[0] : schema.type;
}

function stringFor(name: string, schema: JsonSchema, ids: IdPool, paths: string[]): fc.Arbitrary<string> {
  const id = schema.pattern?.match(/^\^([a-z]+)_/)?.[1];
  if (id) return fc.oneof(fc.constantFrom(...(ids[id] ?? []), `${id}_zzzzzzzzzzzz`), fc.stringMatching(new RegExp(schema.pattern!)));
  if (name === 'path') return fc.constantFrom(...paths);
  const max = Math.min(schema.maxLength ?? 60, 60);
  const min = Math.min(schema.minLength ?? 0, max);
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= (schema.maxLength ?? Infinity));
  return fc.string({ minLength: min, maxLength: max, unit: 'grapheme' });
}

/** A value shaped as the schema says (mostly), with a small chance of a hostile one below the top. */
export function valueFor(name: string, schema: JsonSchema, ids: IdPool, paths: string[], depth = 0): fc.Arbitrary<unknown> {
  const shaped = shapedValue(name, schema, ids, paths, depth);
  return depth === 0 ? shaped : fc.oneof({ weight: 12, arbitrary: shaped }, { weight: 1, arbitrary: hostile });
}

function shapedValue(name: string, schema: JsonSchema, ids: IdPool, paths: string[], depth: number): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => valueFor(name, s, ids, paths, depth)));
  switch (typeOf(schema)) {
    case 'string':
      return stringFor(name, schema, ids, paths);
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1_000, -1_000_000), max: Math.min(schema.maximum ?? 1_000, 1_000_000) });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valueFor(name, schema.items ?? {}, ids, paths, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 5) });
    case 'object':
      return objectFor(schema, ids, paths, depth + 1);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectFor(schema: JsonSchema, ids: IdPool, paths: string[], depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, sub] of Object.entries(properties)) model[key] = valueFor(key, sub, ids, paths, depth);
  return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in properties) }) as fc.Arbitrary<Record<string, unknown>>;
}

/** Arguments for one tool: near-valid, mutated, missing a required field, or arbitrary JSON. */
export function argumentsFor(schema: JsonSchema, ids: IdPool, paths: string[]): fc.Arbitrary<Record<string, unknown>> {
  const nearValid = objectFor(schema, ids, paths, 0);
  const keys = [...Object.keys(schema.properties ?? {}), 'unexpected_field'];
  const mutated = fc.tuple(nearValid, fc.constantFrom(...keys), hostile).map(([args, key, value]) => ({ ...args, [key]: value }));
  const required = schema.required ?? [];
  const arbitraryJson = fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 10 })), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
  return fc.oneof(
    { weight: 5, arbitrary: nearValid },
    { weight: 5, arbitrary: mutated },
    ...(required.length > 0
      ? [{ weight: 1, arbitrary: fc.tuple(nearValid, fc.constantFrom(...required)).map(([args, key]) => Object.fromEntries(Object.entries(args).filter(([k]) => k !== key))) }]
      : []),
    { weight: 2, arbitrary: arbitraryJson },
  );
}
