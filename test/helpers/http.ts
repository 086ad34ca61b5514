import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../../src/main.js';
import { createAccessToken, type CreateTokenInput } from '../../src/services/access-tokens.js';
import { createHttpHandler, listen, startHttpServer, type HttpServerHandle, type HttpServerOptions } from '../../src/transports/http.js';
import { isLoopback } from '../../src/transports/http/guard.js';
import { mountConformanceFixtures } from './conformance-fixtures.js';
import { loadHttpSettings } from '../../src/transports/http/settings.js';

export type ToolResult = CallToolResult & { structuredContent: Record<string, unknown> };

export interface HttpClient {
  client: Client;
  transport: StreamableHTTPClientTransport;
  call(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
  ok<T = Record<string, unknown>>(name: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** The HTTP server in-process on an ephemeral loopback port, with test-friendly defaults. */
export async function startTestHttp(app: App, overrides: Partial<HttpServerOptions> = {}): Promise<HttpServerHandle> {
  return startHttpServer(app, { ...loadHttpSettings({}, {}), host: '127.0.0.1', port: 0, ...overrides });
}

/**
 * For the MCP conformance suite, which sends no bearer token: the product's HTTP handler behind a
 * test-only front that gives an anonymous loopback request the token of a test agent, optionally
 * with the suite's fixtures mounted on every session. Nothing of this is in the shipped program.
 */
export async function startConformanceHttp(app: App, options: { fixtures: boolean }): Promise<HttpServerHandle> {
  const token = await makeToken(app, { kind: 'agent', agent: 'conformance', role: 'conformance' });
  const handler = createHttpHandler(app, {
    ...loadHttpSettings({}, {}),
    host: '127.0.0.1',
    // every scenario of the suite comes in under the one lent token, as fast as the suite can send:
    // the per-token rate limit (20/s by default) would answer some of them 429
    ratePerSecond: 100_000,
    burst: 100_000,
    ...(options.fixtures ? { onSession: (server, env) => mountConformanceFixtures(server.mcp, env) } : {}),
  });
  return listen(handler, '127.0.0.1', 0, (req) => {
    if (req.headers.authorization === undefined && isLoopback(req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '')) {
      req.headers.authorization = `Bearer ${token}`;
    }
  });
}

export async function makeToken(app: App, input: CreateTokenInput): Promise<string> {
  return (await createAccessToken(app.deps, 'operator:test', input)).secret;
}

/** A real SDK Client over Streamable HTTP with a bearer token. */
export async function connectHttp(url: string, token: string | null): Promise<HttpClient> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: token ? { Authorization: `Bearer ${token}` } : {} },
  });
  const client = new Client({ name: 'fleetdeck-http-test', version: '0.0.0' });
  await client.connect(transport);
  await client.listTools();
  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as ToolResult;
  return {
    client,
    transport,
    call,
    async ok<T>(name: string, args: Record<string, unknown> = {}) {
      const result = await call(name, args);
      if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.structuredContent)}`);
      return result.structuredContent as T;
    },
    async close() {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

/** A raw initialize request, for status-code tests. */
export function initializeBody(): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
  });
}

export const MCP_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };

/** A raw HTTP request with full control of the headers (fetch cannot set Host). */
export async function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        // an SSE stream stays open: the first event is enough for these tests
        if (String(res.headers['content-type']).startsWith('text/event-stream') && body.includes('\n\n')) res.destroy();
      });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}
