import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built server every e2e test spawns (vitest's globalSetup builds dist/ first). */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServeOptions {
  /** the SQLite file (passed as FLEETDECK_DB, so `--db` stays free for tests of the flag) */
  db: string;
  /** extra arguments after `serve`, e.g. ['--operator'] or ['--agent', 'alice', '--role', 'implementer'] */
  args?: string[];
  /** extra environment variables (the child gets the SDK's safe default environment plus these) */
  env?: Record<string, string>;
  cwd?: string;
  /** default `warn`: quiet, but problems still reach the captured stderr */
  logLevel?: string;
}

export type ToolResult = CallToolResult & { structuredContent: Record<string, unknown> };

export interface StdioClient {
  client: Client;
  transport: StdioClientTransport;
  /** the server process id (for kill tests) */
  pid: number;
  /** everything the server wrote to stderr so far (pino JSON lines) */
  stderr(): string;
  call(name: string, args?: Record<string, unknown>): Promise<ToolResult>;
  /** calls and asserts success, returning structuredContent */
  ok<T = Record<string, unknown>>(name: string, args?: Record<string, unknown>): Promise<T>;
  /** closes stdin the way a client does when it goes away; the SDK kills the child only if it lingers */
  close(): Promise<void>;
}

/** The environment a spawned server gets: the database, the workspace and a quiet log level. */
export function serveEnv(options: ServeOptions): Record<string, string> {
  return {
    FLEETDECK_DB: options.db,
    FLEETDECK_WORKSPACE: options.cwd ?? REPO_ROOT,
    FLEETDECK_LOG_LEVEL: options.logLevel ?? 'warn',
    ...options.env,
  };
}

/** Spawns `node dist/cli.js serve …` and connects a real SDK Client to it over stdio. */
export async function spawnServer(options: ServeOptions): Promise<StdioClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'serve', ...(options.args ?? [])],
    env: serveEnv(options),
    cwd: options.cwd ?? REPO_ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'fleetdeck-e2e', version: '0.0.0' });
  try {
    await client.connect(transport);
    await client.listTools(); // primes the client's output-schema validators
  } catch (error) {
    await transport.close().catch(() => {});
    throw new Error(`server did not start: ${(error as Error).message}\n--- server stderr ---\n${stderr}`);
  }
  const pid = transport.pid;
  if (pid === null) throw new Error('the server process has no pid');
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as ToolResult;
  return {
    client,
    transport,
    pid,
    stderr: () => stderr,
    call,
    async ok<T>(name: string, args: Record<string, unknown> = {}) {
      const result = await call(name, args);
      if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.structuredContent)}\n--- server stderr ---\n${stderr}`);
      return result.structuredContent as T;
    },
    close: () => client.close(),
  };
}

/** Whether a process with this pid still exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls until the process is gone; false when it is still there at the deadline. */
export async function waitForExit(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return !isAlive(pid);
}

/**
 * A server spawned without the SDK, for tests that look at the raw pipe: every stdout line, the
 * exit code. `request` sends one JSON-RPC message and resolves with the response of the same id.
 */
export interface RawServer {
  child: ChildProcessWithoutNullStreams;
  /** every line the server wrote to stdout, in order */
  lines: string[];
  stderr(): string;
  send(message: Record<string, unknown>): void;
  request(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** resolves with the exit code and signal, or null when the process outlives `timeoutMs` */
  exited(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null>;
}

export function spawnRaw(options: ServeOptions): RawServer {
  const child = spawn(process.execPath, [CLI, 'serve', ...(options.args ?? [])], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...serveEnv(options) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffer = '';
  let stderr = '';
  let nextId = 1;
  const waiting = new Map<number, { resolve: (message: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitWaiters: (() => void)[] = [];
  child.on('exit', (code, signal) => {
    exit = { code, signal };
    for (const wake of exitWaiters.splice(0)) wake();
    for (const [id, w] of waiting) w.reject(new Error(`the server exited (${code ?? signal}) before answering request ${id}`));
    waiting.clear();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      lines.push(line);
      try {
        const message = JSON.parse(line) as Record<string, unknown>;
        if (typeof message.id === 'number') waiting.get(message.id)?.resolve(message);
      } catch {
        // not JSON: the test that reads `lines` reports it
      }
    }
  });
  const send = (message: Record<string, unknown>) => {
    child.stdin.write(`${JSON.stringify(message)}\n`);
  };
  return {
    child,
    lines,
    stderr: () => stderr,
    send,
    request(method, params = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no response to ${method} (id ${id})\n--- server stderr ---\n${stderr}`)), 30_000);
        waiting.set(id, {
          resolve: (message) => {
            clearTimeout(timer);
            waiting.delete(id);
            resolve(message);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        send({ jsonrpc: '2.0', id, method, params });
      });
    },
    exited(timeoutMs = 10_000) {
      if (exit) return Promise.resolve(exit);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(null), timeoutMs);
        exitWaiters.push(() => {
          clearTimeout(timer);
          resolve(exit);
        });
      });
    },
  };
}

/** The initialize handshake by hand (request, then the initialized notification). */
export async function initializeRaw(server: RawServer): Promise<Record<string, unknown>> {
  const response = await server.request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'fleetdeck-raw', version: '0.0.0' },
  });
  server.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return response;
}
