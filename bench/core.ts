/**
 * The write path (issues 9 and 22), each figure against a baseline measured in the same run:
 * - stdio: `heartbeat` (a sign of life: committed without a flush), `whoami`, `take_task` (nothing
 *   queued) and `check_scope` against the protocol's `ping` on the same connection;
 * - server side: the whole tool-call pipeline for `heartbeat` (validation, one write transaction
 *   with the sign of life, the work, its audit event and signal delivery, output check) against a
 *   bare better-sqlite3 write transaction with the same pragmas (WAL, synchronous=FULL);
 * - contention: 8 server processes on one file, each with one agent calling `heartbeat` flat out;
 *   the longest wait of any call, against one process doing the same alone.
 * The queue figures (in-process vs a bare SQLite loop, 4 stdio workers vs BullMQ) are bench/queue.ts.
 *
 * Standalone: `npm run build && node --import tsx bench/core.ts`.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { openApp } from '../src/main.js';
import { callTool } from '../src/mcp/call.js';
import { Session } from '../src/mcp/session.js';
import { toolsFor } from '../src/mcp/tools/index.js';
import { registerAgent } from '../src/services/agents.js';
import { openDatabase } from '../src/store/sqlite/open.js';
import { fmtMs, fmtRatio, sample, spawnClient, stats, table, tempDir, type Stats } from './lib.js';

const ROUND_TRIPS = 1_000;
const WARMUP_ROUNDS = 100;
/** the calls timed over stdio against `ping`, with their arguments (issue 22: each ≤ 2× `ping`) */
const STDIO_CALLS: [string, (i: number) => Record<string, unknown>][] = [
  ['heartbeat', (i) => ({ note: `bench ${i}` })],
  ['whoami', () => ({})],
  ['take_task', () => ({})],
  ['check_scope', () => ({ scopes: [{ kind: 'path', pattern: 'src/a.ts' }] })],
];
export const STDIO_TARGET = 2;
export const LONGEST_WAIT_TARGET_MS = 100;

export interface CoreFigures {
  stdio: { ping: Stats; calls: Record<string, Stats> };
  server: { bare: Stats; tool: Stats };
  alone: Contention;
  eight: Contention;
  dir: string;
}

export async function measureCore(): Promise<CoreFigures> {
  const tmp = tempDir('fleetdeck-bench-core-');
  try {
    const stdio = await stdioRoundTrips(join(tmp.dir, 'stdio.db'));
    const server = await serverSide(tmp.dir);
    const alone = await contention(join(tmp.dir, 'alone.db'), 1);
    const eight = await contention(join(tmp.dir, 'eight.db'), WRITERS);
    return { stdio, server, alone, eight, dir: tmp.dir.replace(/\/[^/]+$/, '') };
  } finally {
    tmp.cleanup();
  }
}
const SERVER_SIDE = 2_000;
const CONTENTION_MS = 4_000;
const WRITERS = 8;

export async function benchCore(): Promise<string> {
  return formatCore(await measureCore());
}

export function formatCore(f: CoreFigures): string {
  const { stdio, server, alone, eight } = f;
  const row = (name: string, s: Stats, base: Stats, note = '') => [name, fmtMs(s.p50), fmtMs(s.p99), fmtMs(s.max), fmtRatio(s.p50, base.p50), note];
  return [
    '## Write path (issues 9 and 22)',
    '',
    `_Measured ${new Date().toISOString()} by bench/core.ts; files in ${f.dir}; synchronous=FULL for state changes, signs of life without a flush. Times in ms._`,
    '',
    table(
      ['figure', 'p50', 'p99', 'max', 'vs baseline (p50)', 'baseline'],
      [
        row('stdio `ping`', stdio.ping, stdio.ping, 'the baseline'),
        ...Object.entries(stdio.calls).map(([name, s]) => row(`stdio \`${name}\``, s, stdio.ping, `\`ping\` on the same connection; target ≤ ${STDIO_TARGET}×`)),
        row('bare better-sqlite3 write tx', server.bare, server.bare, 'the baseline (one INSERT, BEGIN IMMEDIATE … COMMIT, FULL)'),
        row('`heartbeat` tool call, server side', server.tool, server.bare, 'bare write tx'),
      ],
    ),
    '',
    table(
      ['writers', 'calls', 'calls/s', 'p50', 'p99', 'longest wait', 'BUSY'],
      [alone, eight].map((c) => [String(c.writers), String(c.calls), String(Math.round(c.calls / (CONTENTION_MS / 1000))), fmtMs(c.stats.p50), fmtMs(c.stats.p99), fmtMs(c.stats.max), String(c.busy)]),
    ),
    '',
    `Contention: ${WRITERS} \`serve\` processes on one file, one agent each, calling \`heartbeat\` back to back for ${CONTENTION_MS / 1000} s; the longest wait is the slowest single call any of them saw (target ≤ ${LONGEST_WAIT_TARGET_MS} ms), against one process alone.`,
  ].join('\n');
}

async function stdioRoundTrips(db: string): Promise<CoreFigures['stdio']> {
  const c = await spawnClient({ db });
  try {
    await c.call('register_agent', { name: 'bench', role: 'implementer' });
    const ping: number[] = [];
    const calls = new Map<string, number[]>(STDIO_CALLS.map(([name]) => [name, []]));
    const timed = async (out: number[] | null, fn: () => Promise<unknown>) => {
      const started = performance.now();
      await fn();
      out?.push(performance.now() - started);
    };
    // round robin, one call of each kind in turn: a burst elsewhere on the machine hits every figure alike
    for (let i = -WARMUP_ROUNDS; i < ROUND_TRIPS; i++) {
      await timed(i < 0 ? null : ping, () => c.client.ping());
      for (const [name, args] of STDIO_CALLS) await timed(i < 0 ? null : calls.get(name)!, () => c.call(name, args(i)));
    }
    return { ping: stats(ping), calls: Object.fromEntries([...calls].map(([name, samples]) => [name, stats(samples)])) };
  } finally {
    await c.close();
  }
}

async function serverSide(dir: string): Promise<{ bare: Stats; tool: Stats }> {
  const bareDb = openDatabase(join(dir, 'bare.db'), { synchronous: 'FULL' });
  bareDb.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, note TEXT NOT NULL)');
  const insert = bareDb.prepare('INSERT INTO t (at, note) VALUES (?, ?)');
  const bareTx = bareDb.transaction((i: number) => insert.run(Date.now(), `bench ${i}`));

  const config = loadConfig({ db: join(dir, 'service.db'), workspace: dir, synchronous: 'FULL' }, {});
  const app = await openApp(config, { logger: pino({ level: 'silent' }) });
  const { agent } = await registerAgent(app.deps, { name: 'bench', role: 'implementer' });
  const session = new Session();
  session.bindAgent(agent.id);
  const env = { deps: app.deps, feed: app.feed, session, tools: new Map(toolsFor('agent').map((t) => [t.name, t])) };
  const abort = new AbortController().signal;
  try {
    const bare: number[] = [];
    const tool: number[] = [];
    for (let block = 0; block < 10; block++) {
      bare.push(...(await sample(SERVER_SIDE / 10, block === 0 ? 100 : 0, (i) => bareTx.immediate(i))));
      tool.push(...(await sample(SERVER_SIDE / 10, block === 0 ? 100 : 0, (i) => callTool(env, 'heartbeat', { note: `bench ${i}` }, abort))));
    }
    return { bare: stats(bare), tool: stats(tool) };
  } finally {
    bareDb.close();
    await app.close();
  }
}

export interface Contention {
  writers: number;
  calls: number;
  busy: number;
  stats: Stats;
}

async function contention(db: string, writers: number): Promise<Contention> {
  // started one after another: the first migrates the file, so start-up races are not measured
  const clients = [];
  for (let i = 0; i < writers; i++) clients.push(await spawnClient({ db }));
  try {
    await Promise.all(clients.map((c, i) => c.call('register_agent', { name: `writer-${i}`, role: 'implementer' })));
    const latencies: number[] = [];
    let busy = 0;
    const until = performance.now() + CONTENTION_MS;
    await Promise.all(
      clients.map(async (c, w) => {
        for (let i = 0; performance.now() < until; i++) {
          const started = performance.now();
          try {
            await c.call('heartbeat', { note: `writer ${w} call ${i}` });
          } catch (error) {
            if (!String(error).includes('BUSY')) throw error;
            busy++;
          }
          latencies.push(performance.now() - started);
        }
      }),
    );
    return { writers, calls: latencies.length, busy, stats: stats(latencies) };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchCore().then(
    (report) => process.stdout.write(`${report}\n`),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
