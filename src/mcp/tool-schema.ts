import { z } from 'zod';
import { errorSchema, signalSchema } from './schemas.js';
import type { AnyTool } from './tool.js';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

/** Fields every result may carry besides its own: pending signals and the next step. */
export const COMMON_OUTPUT = {
  signals: z.array(signalSchema).optional().describe('pending signals for you: act on them first'),
  next: z.string().optional().describe('what to do next'),
};

export function inputJsonSchema(tool: AnyTool): JsonSchema {
  const schema = z.toJSONSchema(tool.input, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete schema.$schema;
  return schema;
}

/**
 * The advertised output schema accepts either the tool's own result or an error result: clients
 * validate structuredContent against it even when isError is set, and our errors carry
 * `structuredContent.error`. So the success fields' `required` list moves into an `anyOf` branch.
 */
export function outputJsonSchema(tool: AnyTool): JsonSchema {
  const success = tool.output.extend(COMMON_OUTPUT);
  const schema = z.toJSONSchema(success, { target: 'draft-7', io: 'output', unrepresentable: 'any' }) as JsonSchema;
  delete schema.$schema;
  const required = schema.required ?? [];
  delete schema.required;
  schema.properties = { ...schema.properties, error: z.toJSONSchema(errorSchema, { target: 'draft-7' }) };
  delete (schema.properties.error as JsonSchema).$schema;
  schema.anyOf = [{ required }, { required: ['error'] }];
  return { ...schema, properties: mapValues(schema.properties, (p) => outline(p as JsonSchema, 1)) };
}

/**
 * Advertised output schemas name the top-level fields and their types only. Full nested schemas
 * made tools/list ~80 KB for 24 tools (a large token cost for an agent before it starts); the
 * complete zod output schemas stay in the code, and tests check results against them.
 */
const OUTPUT_SCHEMA_DEPTH = 1;

function outline(schema: JsonSchema, depth: number): JsonSchema {
  if (depth >= OUTPUT_SCHEMA_DEPTH) return typeOnly(schema);
  const out: JsonSchema = { ...schema };
  if (schema.properties) out.properties = mapValues(schema.properties, (p) => outline(p as JsonSchema, depth + 1));
  if (schema.items && typeof schema.items === 'object') out.items = outline(schema.items as JsonSchema, depth + 1);
  if (Array.isArray(schema.anyOf)) out.anyOf = (schema.anyOf as JsonSchema[]).map((s) => outline(s, depth));
  delete out.additionalProperties;
  return out;
}

function typeOnly(schema: JsonSchema): JsonSchema {
  if (Array.isArray(schema.anyOf)) return { anyOf: (schema.anyOf as JsonSchema[]).map(typeOnly) };
  return schema.type === undefined ? {} : { type: schema.type };
}

function mapValues<T>(record: Record<string, T> | undefined, fn: (value: T) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, fn(v)]));
}
