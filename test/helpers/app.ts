import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ManualClock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openApp, type App } from '../../src/main.js';
import { createServer } from '../../src/mcp/server.js';
import { Session } from '../../src/mcp/session.js';
import type { Toolset } from '../../src/mcp/tool.js';
import type { ToolProfile } from '../../src/mcp/tools/index.js';
import { testDatabase } from './store.js';

export const silentLogger = pino({ level: 'silent' });

export function tempDir(prefix = 'fleetdeck-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestApp {
  app: App;
  clock: ManualClock;
  dir: string;
  config: Config;
  /** closes the app and drops its database; SQLite closes at once, so callers may ignore the promise */
  close(): Promise<void>;
}

/** A real app on a fresh database (test/helpers/store.ts: SQLite by default) in a temp dir, with a manual clock. */
export async function openTestApp(overrides: Partial<Record<'agentLeaseSeconds' | 'workspace', string>> = {}, dir?: string): Promise<TestApp> {
  const tmp = dir ? { dir, cleanup: () => {} } : tempDir();
  const database = await testDatabase(tmp.dir);
  const config = loadConfig(
    { db: database.db, dataDir: tmp.dir, workspace: overrides.workspace ?? tmp.dir, agentLeaseSeconds: overrides.agentLeaseSeconds, pollMs: '20' },
    {},
  );
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 12));
  const app = await openApp(config, { clock, logger: silentLogger });
  return {
    app,
    clock,
    dir: tmp.dir,
    config,
    async close() {
      await app.close();
      await database.drop();
      tmp.cleanup();
    },
  };
}

export interface TestClient {
  client: Client;
  session: Session;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult & { structuredContent: Record<string, unknown> }>;
  /** calls and asserts success, returning structuredContent */
  ok<T = Record<string, unknown>>(name: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** A real SDK Client connected in-process (linked transport pair) to a server on `app`. */
export async function connectClient(app: App, toolset: Toolset = 'agent', options: { profile?: ToolProfile } = {}): Promise<TestClient> {
  const session = new Session();
  if (toolset === 'operator') session.bindOperator('test-operator');
  const server = createServer({ deps: app.deps, feed: app.feed, session, toolset, profile: options.profile, version: 'test' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'fleetdeck-test', version: '0.0.0' });
  await Promise.all([server.mcp.connect(serverSide), client.connect(clientSide)]);
  await client.listTools(); // primes the client's output-schema validators
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult & { structuredContent: Record<string, unknown> };
  return {
    client,
    session,
    call,
    async ok<T>(name: string, args: Record<string, unknown> = {}) {
      const result = await call(name, args);
      if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.structuredContent)}`);
      return result.structuredContent as T;
    },
    async close() {
      await client.close();
      await server.dispose();
    },
  };
}

export function errorCode(result: { structuredContent?: Record<string, unknown> }): string | undefined {
  return (result.structuredContent?.error as { code?: string } | undefined)?.code;
}
