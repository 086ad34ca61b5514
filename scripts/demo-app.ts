/**
 * A real app and in-process MCP clients for the console's screenshot script and benchmark, which
 * run outside vitest and so cannot use test/helpers/app.ts (its database factory registers vitest
 * hooks). An embedded SQLite file in a temp dir, a manual clock, silent logs.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openApp, type App } from '../src/main.js';
import { createServer } from '../src/mcp/server.js';
import { Session } from '../src/mcp/session.js';
import type { Toolset } from '../src/mcp/tool.js';

export interface DemoApp {
  app: App;
  clock: ManualClock;
  close(): Promise<void>;
}

export async function openDemoApp(options: { agentLeaseSeconds: string; workspace?: string }): Promise<DemoApp> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-demo-'));
  const config = loadConfig({ db: join(dir, 'fleet.db'), dataDir: dir, workspace: options.workspace ?? dir, agentLeaseSeconds: options.agentLeaseSeconds, pollMs: '20' }, {});
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 12));
  const app = await openApp(config, { clock, logger: pino({ level: 'silent' }) });
  return {
    app,
    clock,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface DemoClient {
  /** calls a tool and throws unless it succeeded, returning its structured content */
  ok<T = Record<string, unknown>>(name: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** A real SDK Client linked in-process to a server on `app`. */
export async function connectDemoClient(app: App, toolset: Toolset = 'agent'): Promise<DemoClient> {
  const session = new Session();
  if (toolset === 'operator') session.bindOperator('maria'); // the operator the screenshots sign in as
  const server = createServer({ deps: app.deps, feed: app.feed, session, toolset, version: 'demo' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'fleetdeck-demo', version: '0.0.0' });
  await Promise.all([server.mcp.connect(serverSide), client.connect(clientSide)]);
  await client.listTools(); // primes the client's output-schema validators
  return {
    async ok<T>(name: string, args: Record<string, unknown> = {}) {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.structuredContent)}`);
      return result.structuredContent as T;
    },
    async close() {
      await client.close();
      await server.dispose();
    },
  };
}
