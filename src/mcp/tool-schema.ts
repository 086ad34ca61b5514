import { z } from 'zod';
import type { AnyTool } from './tool.js';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

/**
 * The input schema as tools/list advertises it. Size bounds and id patterns stay in the zod schema
 * the server validates with (`full: true` shows them): a model never needs "maxLength 32000" to
 * call a tool well, and a call past a bound gets TOO_LARGE with a hint. Every agent pays for the
 * listing in its context before its first call, so the listing carries what guides a call (types,
 * enums, ranges, required fields, descriptions) and nothing that only polices one.
 */
export function inputJsonSchema(tool: AnyTool, options: { full?: boolean } = {}): JsonSchema {
  const schema = z.toJSONSchema(tool.input, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete schema.$schema;
  return options.full ? schema : (lean(schema, tool.describeFields !== false) as JsonSchema);
}

const POLICING_KEYWORDS = new Set(['maxLength', 'minLength', 'maxItems', 'minItems', 'pattern']);

function lean(value: unknown, describe: boolean, depth = 0): unknown {
  if (Array.isArray(value)) return value.map((v) => lean(v, describe, depth));
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(value)) {
    if (key === 'description' && !describe && typeof sub === 'string') continue;
    // strictness is enforced on every level; saying it once, at the top, is enough for a model
    if (key === 'additionalProperties' && sub === false && depth > 0) continue;
    if (POLICING_KEYWORDS.has(key) && typeof sub !== 'object') continue;
    // bounds far past any sensible value (2^53 - 1, 10^12 tokens) say nothing to a model
    if ((key === 'maximum' || key === 'minimum') && typeof sub === 'number' && Math.abs(sub) >= 1e6) continue;
    // a property named like a keyword ("pattern") is a field, not a keyword
    out[key] = key === 'properties' ? mapValues(sub as Record<string, unknown>, (p) => lean(p, describe, depth + 1)) : lean(sub, describe, depth + 1);
  }
  return out;
}

/**
 * Advertised output schemas are outlines: the top-level field names (a value shows its type), nothing required
 * and nothing forbidden, so both a result and an error result (`structuredContent.error`, which
 * SDK clients validate even when isError is set) conform. Full nested schemas made tools/list
 * ~80 KB for 24 tools; the complete zod output schema checks every result in the server (a
 * mismatch is INTERNAL). `signals`, `next` and `error`, common to every result, are described once
 * in the server instructions rather than in each tool.
 */
export function outputJsonSchema(tool: AnyTool): JsonSchema {
  const schema = z.toJSONSchema(tool.output, { target: 'draft-7', io: 'output', unrepresentable: 'any' }) as JsonSchema;
  return { type: 'object', properties: mapValues(schema.properties, () => ({})) };
}

function mapValues<T>(record: Record<string, T> | undefined, fn: (value: T) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, fn(v)]));
}
