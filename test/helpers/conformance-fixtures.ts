/**
 * The fixtures the MCP conformance suite calls by fixed names (`test_simple_text`,
 * `test://static-text`, `test_simple_prompt`, …). They live with the tests, not in the shipped
 * program: test/helpers/http.ts mounts them through the HTTP transport's `onSession` hook on an
 * in-process server. These tools are not fleetdeck's, and they would cost every agent tokens in
 * tools/list.
 *
 * They are mounted next to the product's tools, on the same McpServer, so the suite also exercises
 * the product's own tools/list, resources, subscriptions and transport.
 */
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer, ResourceTemplate as ResourceTemplateType } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { callTool } from '../../src/mcp/call.js';
import type { ServerEnv } from '../../src/mcp/server.js';
import { inputJsonSchema, outputJsonSchema } from '../../src/mcp/tool-schema.js';
import { toolsFor } from '../../src/mcp/tools/index.js';

/** A 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** A valid WAV file with no samples (44-byte header, 8 kHz mono 8-bit). */
function emptyWav(): string {
  const b = Buffer.alloc(44);
  b.write('RIFF', 0);
  b.writeUInt32LE(36, 4);
  b.write('WAVE', 8);
  b.write('fmt ', 12);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(8000, 28);
  b.writeUInt16LE(1, 32);
  b.writeUInt16LE(8, 34);
  b.write('data', 36);
  b.writeUInt32LE(0, 40);
  return b.toString('base64');
}

type Extra = {
  signal: AbortSignal;
  sendNotification: (n: { method: string; params?: Record<string, unknown> }) => Promise<void>;
  sendRequest: <S extends z.ZodType>(r: { method: string; params?: Record<string, unknown> }, schema: S) => Promise<z.infer<S>>;
};

interface Fixture {
  tool: Tool;
  run(args: Record<string, unknown>, extra: Extra, progressToken: string | number | undefined): Promise<CallToolResult>;
}

const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const noArgs = { type: 'object' as const, properties: {} };

const FIXTURES: Fixture[] = [
  {
    tool: { name: 'test_simple_text', description: 'Returns a simple text response', inputSchema: noArgs },
    run: async () => text('This is a simple text response for testing.'),
  },
  {
    tool: { name: 'test_image_content', description: 'Returns an image', inputSchema: noArgs },
    run: async () => ({ content: [{ type: 'image', data: PNG, mimeType: 'image/png' }] }),
  },
  {
    tool: { name: 'test_audio_content', description: 'Returns audio', inputSchema: noArgs },
    run: async () => ({ content: [{ type: 'audio', data: emptyWav(), mimeType: 'audio/wav' }] }),
  },
  {
    tool: { name: 'test_embedded_resource', description: 'Returns an embedded resource', inputSchema: noArgs },
    run: async () => ({
      content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }],
    }),
  },
  {
    tool: { name: 'test_multiple_content_types', description: 'Returns text, image and a resource', inputSchema: noArgs },
    run: async () => ({
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: PNG, mimeType: 'image/png' },
        { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: '{"test":"data","value":123}' } },
      ],
    }),
  },
  {
    tool: { name: 'test_tool_with_logging', description: 'Sends three log messages while it runs', inputSchema: noArgs },
    async run(_args, extra) {
      for (const [i, message] of ['Tool execution started', 'Tool processing data', 'Tool execution completed'].entries()) {
        if (i > 0) await sleep(50);
        await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', logger: 'conformance', data: message } });
      }
      return text('Tool with logging executed successfully');
    },
  },
  {
    tool: { name: 'test_tool_with_progress', description: 'Reports progress 0, 50, 100 of 100', inputSchema: noArgs },
    async run(_args, extra, progressToken) {
      for (const [i, progress] of [0, 50, 100].entries()) {
        if (i > 0) await sleep(50);
        if (progressToken !== undefined) {
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total: 100 } });
        }
      }
      return text('Tool with progress executed successfully');
    },
  },
  {
    tool: { name: 'test_error_handling', description: 'Always fails', inputSchema: noArgs },
    run: async () => ({ isError: true, content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }] }),
  },
  {
    tool: {
      name: 'test_sampling',
      description: 'Asks the client to sample an LLM',
      inputSchema: { type: 'object', properties: { prompt: { type: 'string' } }, required: ['prompt'] },
    },
    async run(args, extra) {
      const result = await extra.sendRequest(
        { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: String(args.prompt ?? '') } }], maxTokens: 100 } },
        CreateMessageResultSchema,
      );
      const content = result.content as { type: string; text?: string };
      return text(`LLM response: ${content.type === 'text' ? content.text : JSON.stringify(content)}`);
    },
  },
  {
    tool: {
      name: 'test_elicitation',
      description: 'Asks the user for input',
      inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
    },
    async run(args, extra) {
      const result = await extra.sendRequest(
        {
          method: 'elicitation/create',
          params: {
            message: String(args.message ?? ''),
            requestedSchema: {
              type: 'object',
              properties: {
                username: { type: 'string', description: "User's response" },
                email: { type: 'string', description: "User's email address" },
              },
              required: ['username', 'email'],
            },
          },
        },
        ElicitResultSchema,
      );
      return text(`User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
    },
  },
  {
    tool: { name: 'test_elicitation_sep1034_defaults', description: 'Elicitation with default values', inputSchema: noArgs },
    async run(_args, extra) {
      const result = await extra.sendRequest(
        {
          method: 'elicitation/create',
          params: {
            message: 'Please review and update the form fields with defaults',
            requestedSchema: {
              type: 'object',
              properties: {
                name: { type: 'string', description: 'User name', default: 'John Doe' },
                age: { type: 'integer', description: 'User age', default: 30 },
                score: { type: 'number', description: 'User score', default: 95.5 },
                status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
                verified: { type: 'boolean', description: 'Verification status', default: true },
              },
              required: [],
            },
          },
        },
        ElicitResultSchema,
      );
      return text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
    },
  },
  {
    tool: { name: 'test_elicitation_sep1330_enums', description: 'Elicitation with every enum form', inputSchema: noArgs },
    async run(_args, extra) {
      const result = await extra.sendRequest(
        {
          method: 'elicitation/create',
          params: {
            message: 'Please select options from the enum fields',
            requestedSchema: {
              type: 'object',
              properties: {
                untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
                titledSingle: {
                  type: 'string',
                  oneOf: [
                    { const: 'value1', title: 'First Option' },
                    { const: 'value2', title: 'Second Option' },
                    { const: 'value3', title: 'Third Option' },
                  ],
                },
                legacyEnum: { type: 'string', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
                untitledMulti: { type: 'array', items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
                titledMulti: {
                  type: 'array',
                  items: {
                    anyOf: [
                      { const: 'value1', title: 'First Choice' },
                      { const: 'value2', title: 'Second Choice' },
                      { const: 'value3', title: 'Third Choice' },
                    ],
                  },
                },
              },
              required: [],
            },
          },
        },
        ElicitResultSchema,
      );
      return text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
    },
  },
  {
    tool: { name: 'test_reconnection', description: 'Answers after a short delay (SSE polling scenario)', inputSchema: noArgs },
    async run() {
      await sleep(100);
      return text('Reconnection test completed');
    },
  },
  {
    tool: {
      name: 'json_schema_2020_12_tool',
      description: 'Tool with JSON Schema 2020-12 features',
      inputSchema: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        $defs: { address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
        properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
        additionalProperties: false,
      },
    },
    run: async (args) => text(`received ${JSON.stringify(args)}`),
  },
];

/**
 * Adds the fixtures to a server built by createServer. tools/list and tools/call are replaced by
 * handlers that answer the fixtures and hand every other call to the product's pipeline
 * (`callTool`), so product tools behave exactly as without fixtures.
 */
export function mountConformanceFixtures(mcp: McpServer, env: ServerEnv): void {
  const tools = toolsFor(env.toolset);
  const byName = new Map(tools.map((t) => [t.name, t]));
  const fixtures = new Map(FIXTURES.map((f) => [f.tool.name, f]));
  const listing: Tool[] = [
    ...tools.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: inputJsonSchema(tool) as Tool['inputSchema'],
      outputSchema: outputJsonSchema(tool) as Tool['outputSchema'],
      annotations: { title: tool.title, ...tool.annotations, openWorldHint: false },
    })),
    ...FIXTURES.map((f) => f.tool),
  ];
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listing }));
  mcp.server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const fixture = fixtures.get(request.params.name);
    if (fixture) return fixture.run(request.params.arguments ?? {}, extra as unknown as Extra, request.params._meta?.progressToken);
    return callTool(
      { deps: env.deps, feed: env.feed, session: env.session, tools: byName, onCall: env.onToolCall },
      request.params.name,
      request.params.arguments,
      extra.signal,
    );
  });

  const resource = (name: string, uri: string, mimeType: string, body: { text: string } | { blob: string }) =>
    mcp.registerResource(name, uri, { title: name, description: `conformance fixture ${uri}`, mimeType }, async () => ({
      contents: [{ uri, mimeType, ...body }],
    }));
  resource('static-text', 'test://static-text', 'text/plain', { text: 'This is the content of the static text resource.' });
  resource('static-binary', 'test://static-binary', 'image/png', { blob: PNG });
  resource('watched-resource', 'test://watched-resource', 'text/plain', { text: 'Watched resource content' });
  const template: ResourceTemplateType = new ResourceTemplate('test://template/{id}/data', { list: undefined });
  mcp.registerResource('template-data', template, { title: 'template-data', description: 'conformance fixture template', mimeType: 'application/json' }, async (uri, vars) => {
    const id = String(vars.id);
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }] };
  });

  mcp.registerPrompt('test_simple_prompt', { title: 'Simple prompt', description: 'A simple prompt without arguments' }, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
  }));
  mcp.registerPrompt(
    'test_prompt_with_arguments',
    {
      title: 'Prompt with arguments',
      description: 'A prompt with two required arguments',
      argsSchema: {
        arg1: completable(z.string().describe('First test argument'), (value) => ['paris', 'park', 'party', 'test', 'testValue1'].filter((v) => v.startsWith(value))),
        arg2: z.string().describe('Second test argument'),
      },
    },
    ({ arg1, arg2 }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }] }),
  );
  mcp.registerPrompt(
    'test_prompt_with_embedded_resource',
    { title: 'Prompt with a resource', description: 'A prompt that embeds a resource', argsSchema: { resourceUri: z.string().describe('URI of the resource to embed') } },
    ({ resourceUri }) => ({
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  );
  mcp.registerPrompt('test_prompt_with_image', { title: 'Prompt with an image', description: 'A prompt with image content' }, () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: PNG, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ],
  }));
}
