import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_TOOLS } from '../../src/mcp/tools/index.js';
import { connectClient, errorCode, openTestApp, type TestApp } from '../helpers/app.js';

type Schema = Record<string, unknown>;

/** Every place in a JSON schema where a string or a list is accepted without a bound. */
function unbounded(schema: unknown, path: string): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const s = schema as Schema;
  const found: string[] = [];
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes('string') && s.maxLength === undefined && s.enum === undefined && s.const === undefined) found.push(`${path}: string without maxLength`);
  if (types.includes('array') && s.maxItems === undefined) found.push(`${path}: array without maxItems`);
  for (const [key, sub] of Object.entries((s.properties as Record<string, unknown> | undefined) ?? {})) found.push(...unbounded(sub, `${path}.${key}`));
  if (s.items) found.push(...unbounded(s.items, `${path}[]`));
  if (s.additionalProperties && typeof s.additionalProperties === 'object') found.push(...unbounded(s.additionalProperties, `${path}{}`));
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const [i, sub] of ((s[key] as unknown[] | undefined) ?? []).entries()) found.push(...unbounded(sub, `${path}<${key}${i}>`));
  }
  return found;
}

/**
 * The tool surface as agents and operators see it through tools/list, rendered to a committed
 * snapshot: a change to what a model reads is always deliberate and visible in review.
 * After changing a tool: `npx vitest run test/mcp/tool-surface.test.ts -u`, and `npm run docs:tools`.
 */
describe('the tool surface', () => {
  let t: TestApp;
  let agentTools: Tool[];
  let operatorTools: Tool[];
  beforeAll(async () => {
    t = await openTestApp();
    const agent = await connectClient(t.app, 'agent');
    const operator = await connectClient(t.app, 'operator');
    agentTools = (await agent.client.listTools()).tools;
    operatorTools = (await operator.client.listTools()).tools;
    await agent.close();
    await operator.close();
  });
  afterAll(() => t.close());

  const render = (tool: Tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    annotations: tool.annotations,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
  });

  it('matches the committed snapshot', async () => {
    const agentNames = new Set(agentTools.map((tool) => tool.name));
    const surface = {
      agent: agentTools.map(render),
      operator: {
        // the operator toolset is the agent toolset plus these, in this order
        names: operatorTools.map((tool) => tool.name),
        adds: operatorTools.filter((tool) => !agentNames.has(tool.name)).map(render),
      },
    };
    await expect(`${JSON.stringify(surface, null, 2)}\n`).toMatchFileSnapshot('__snapshots__/tool-surface.json');
  });

  it('gives the operator every agent tool unchanged, and never lists an operator tool to agents', () => {
    const byName = new Map(operatorTools.map((tool) => [tool.name, tool]));
    for (const tool of agentTools) expect(byName.get(tool.name), tool.name).toEqual(tool);
    const agentNames = agentTools.map((tool) => tool.name);
    for (const tool of OPERATOR_TOOLS) expect(agentNames).not.toContain(tool.name);
    expect(operatorTools).toHaveLength(agentTools.length + OPERATOR_TOOLS.length);
  });

  it('names, titles, describes and annotates every tool', () => {
    const names = operatorTools.map((tool) => tool.name);
    expect(new Set(names).size).toBe(names.length);
    for (const tool of operatorTools) {
      expect(tool.name).toMatch(/^[a-z][a-z0-9_]{1,40}$/);
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.description?.length ?? 0, tool.name).toBeGreaterThan(40);
      expect(typeof tool.annotations?.readOnlyHint, tool.name).toBe('boolean');
      expect(tool.outputSchema, tool.name).toBeDefined();
    }
  });

  it('takes only strict objects with every string and list bounded', () => {
    const problems: string[] = [];
    for (const tool of operatorTools) {
      const input = tool.inputSchema as Schema;
      if (input.additionalProperties !== false) problems.push(`${tool.name}: input accepts unknown fields (use .strict())`);
      problems.push(...unbounded(input, tool.name));
    }
    expect(problems).toEqual([]);
  });

  it('advertises output schemas that admit both the result and an error', () => {
    for (const tool of operatorTools) {
      const anyOf = (tool.outputSchema as Schema).anyOf as { required: string[] }[];
      expect(anyOf, tool.name).toContainEqual({ required: ['error'] });
    }
  });

  it('refuses an unknown field on every tool with INVALID_INPUT, and writes nothing', async () => {
    const operator = await connectClient(t.app, 'operator');
    const seq = () => t.app.deps.store.read(async (tx) => await tx.events.lastSeq());
    const before = await seq();
    for (const tool of operatorTools) {
      const result = await operator.call(tool.name, { surely_not_a_field: 1 });
      expect(result.isError, tool.name).toBe(true);
      expect(errorCode(result), tool.name).toBe('INVALID_INPUT');
    }
    expect(await seq()).toBe(before);
    await operator.close();
  });
});
