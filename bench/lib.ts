/**
 * Helpers shared by the benchmarks (bench/*.ts). Every figure a bench reports is measured in the
 * same run as its baseline, and every loop is bounded; there are no thresholds here.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The built server (`npm run bench` builds first). */
export const CLI = join(REPO_ROOT, 'dist', 'cli.js');

export function tempDir(prefix = 'fleetdeck-bench-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ServerClient {
  client: Client;
  pid: number;
  /** calls a tool; throws when the result is an error, so a bench never measures failures */
  call(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Spawns `node dist/cli.js serve` on `db` and connects an SDK Client over stdio. */
export async function spawnClient(options: { db: string; args?: string[]; env?: Record<string, string> }): Promise<ServerClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'serve', ...(options.args ?? [])],
    env: { FLEETDECK_DB: options.db, FLEETDECK_LOG_LEVEL: 'warn', FLEETDECK_WORKSPACE: REPO_ROOT, ...options.env },
    cwd: REPO_ROOT,
    stderr: 'inherit',
  });
  const client = new Client({ name: 'fleetdeck-bench', version: '0.0.0' });
  await client.connect(transport);
  await client.listTools();
  const pid = transport.pid;
  if (pid === null) throw new Error('server has no pid');
  return {
    client,
    pid,
    async call(name, args = {}) {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      if (result.isError) throw new Error(`${name} failed during the bench: ${JSON.stringify(result.structuredContent)}`);
      return (result.structuredContent ?? {}) as Record<string, unknown>;
    },
    close: () => client.close(),
  };
}

export interface Stats {
  n: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    mean: sum / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export const median = (samples: number[]): number => percentile([...samples].sort((a, b) => a - b), 50);

/** Runs `fn` `warmup` times unmeasured, then `n` times, returning each duration in ms. */
export async function sample(n: number, warmup: number, fn: (i: number) => Promise<unknown> | unknown): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const out: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn(i);
    out[i] = performance.now() - start;
  }
  return out;
}

export const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(3));
export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fmtMb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
/** `a` relative to the baseline `b`, e.g. "2.4×". */
export const fmtRatio = (a: number, b: number): string => `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`;

export function table(headers: string[], rows: (string | number)[][]): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Resident set size of a process in bytes (Linux /proc, else `ps`), or null when unknown. */
export function rssOf(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux: fall through to ps
  }
  try {
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) * 1024;
  } catch {
    return null;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
