/**
 * The HTTP transport's costs, each against a baseline measured in the same run:
 * - round trips over Streamable HTTP of `heartbeat` (a write) and `whoami` (a read) against the
 *   protocol's `ping` on the same connection (one SDK Client, one request in flight);
 * - 50 concurrent HTTP agents (each its own token and MCP session) against one server process for
 *   a bounded time: heartbeats only, then a work loop of take_task → submit_result → heartbeat;
 *   throughput and per-call latency percentiles.
 * The server is a separate process (`node dist/cli.js serve --http 127.0.0.1:0`), so client and
 * server do not share an event loop; the rate limit is raised for the bench (it is per token).
 *
 * Standalone: `npm run build && node --import tsx bench/http.ts`.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { openApp } from '../src/main.js';
import { createAccessToken } from '../src/services/access-tokens.js';
import { CLI, fmtInt, fmtMs, fmtRatio, REPO_ROOT, rssOf, stats, table, tempDir, type Stats } from './lib.js';

const ROUND_TRIPS = 1_000;
const WARMUP = 100;
const BLOCK = 100;
const AGENTS = 50;
const LOAD_SECONDS = 10;
/** queued before the work loop: more than the agents can finish in LOAD_SECONDS here */
const TASKS = 3_000;

/** CPU seconds (user + system) a process has used so far, from /proc (Linux), else null. */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
  } catch {
    return null;
  }
}

function cpuNote(server: number | null, client: number | null, seconds: number): string {
  const pct = (x: number | null) => (x === null ? '?' : `${((x / seconds) * 100).toFixed(0)}%`);
  return `CPU during the run: server ${pct(server)} of one core, bench process (the ${AGENTS} clients) ${pct(client)}.`;
}

interface HttpAgent {
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

async function connect(url: string, token: string): Promise<HttpAgent> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  const client = new Client({ name: 'fleetdeck-bench-http', version: '0' });
  await client.connect(transport);
  await client.listTools();
  return {
    client,
    async call(name, args = {}) {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      if (result.isError) throw new Error(`${name} failed during the bench: ${JSON.stringify(result.structuredContent)}`);
      return (result.structuredContent ?? {}) as Record<string, unknown>;
    },
    async close() {
      await transport.terminateSession().catch(() => {});
      await client.close();
    },
  };
}

async function startServer(db: string, extra: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--http', '127.0.0.1:0', '--db', db, '--http-rate', '1000000', '--http-burst', '1000000', '--http-max-sessions', '10000', ...extra], {
    cwd: REPO_ROOT,
    env: { ...process.env, FLEETDECK_LOG_LEVEL: 'info', FLEETDECK_WORKSPACE: REPO_ROOT },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /"url":"([^"]+)"[^\n]*"msg":"fleetdeck serving over HTTP"/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve --http exited with ${code}: ${stderr}`)));
  });
  return { child, url };
}

async function makeTokens(db: string, count: number): Promise<{ agents: string[]; coordinator: string }> {
  const app = await openApp(loadConfig({ db, workspace: REPO_ROOT }, {}), { logger: pino({ level: 'silent' }) });
  try {
    const agents: string[] = [];
    for (let i = 0; i < count; i++) agents.push((await createAccessToken(app.deps, 'operator:bench', { kind: 'agent', agent: `worker-${i}`, role: 'worker' })).secret);
    const coordinator = (await createAccessToken(app.deps, 'operator:bench', { kind: 'agent', agent: 'coordinator', role: 'coordinator' })).secret;
    return { agents, coordinator };
  } finally {
    app.close();
  }
}

const delta = (now: number | null, before: number | null): number | null => (now === null || before === null ? null : now - before);

const row = (name: string, s: Stats, base: Stats) => [name, s.n, fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p99), fmtMs(s.mean), fmtRatio(s.p50, base.p50), fmtRatio(s.mean, base.mean)];

async function roundTrips(agent: HttpAgent): Promise<string> {
  const calls: [string, () => Promise<unknown>][] = [
    ['`ping` (baseline)', () => agent.client.ping()],
    ['`whoami`', () => agent.call('whoami')],
    ['`heartbeat`', () => agent.call('heartbeat', { status: 'working' })],
  ];
  for (let i = 0; i < WARMUP; i++) for (const [, fn] of calls) await fn();
  const samples = calls.map(() => [] as number[]);
  for (let done = 0; done < ROUND_TRIPS; done += BLOCK) {
    for (const [k, [, fn]] of calls.entries()) {
      for (let i = 0; i < BLOCK; i++) {
        const t = performance.now();
        await fn();
        samples[k]!.push(performance.now() - t);
      }
    }
  }
  const s = samples.map(stats);
  return [
    '#### Round trips over Streamable HTTP',
    '',
    `One SDK Client with a bearer token, one request in flight, ${fmtInt(ROUND_TRIPS)} calls each after ${WARMUP} warm-up, alternating in blocks of ${BLOCK}. Every request is authenticated (a token lookup by hash), rate-limited and routed to its session; \`ping\` is the protocol no-op on the same connection.`,
    '',
    table(
      ['call', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms', 'p50 vs ping', 'mean vs ping'],
      calls.map(([name], k) => row(name, s[k]!, s[0]!)),
    ),
  ].join('\n');
}

interface LoadResult {
  seconds: number;
  perCall: Map<string, number[]>;
  errors: Map<string, number>;
  completed: number;
}

/** Every agent loops `step` until the deadline; each call's latency is recorded under its tool name. */
async function load(agents: HttpAgent[], step: (agent: HttpAgent, timed: (name: string, args?: Record<string, unknown>) => Promise<Record<string, unknown>>) => Promise<boolean>): Promise<LoadResult> {
  const perCall = new Map<string, number[]>();
  const errors = new Map<string, number>();
  let completed = 0;
  const started = performance.now();
  const deadline = started + LOAD_SECONDS * 1000;
  await Promise.all(
    agents.map(async (agent) => {
      const timed = async (name: string, args: Record<string, unknown> = {}) => {
        const t = performance.now();
        try {
          const out = await agent.call(name, args);
          const list = perCall.get(name) ?? [];
          list.push(performance.now() - t);
          perCall.set(name, list);
          return out;
        } catch (error) {
          const key = `${name}: ${(error as Error).message.slice(0, 80)}`;
          errors.set(key, (errors.get(key) ?? 0) + 1);
          return {};
        }
      };
      while (performance.now() < deadline) if (await step(agent, timed)) completed++;
    }),
  );
  return { seconds: (performance.now() - started) / 1000, perCall, errors, completed };
}

function loadTable(r: LoadResult): string {
  const rows = [...r.perCall].map(([name, samples]) => {
    const s = stats(samples);
    return [`\`${name}\``, fmtInt(s.n), fmtInt(s.n / r.seconds), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p99), fmtMs(s.max)];
  });
  const total = [...r.perCall.values()].reduce((n, s) => n + s.length, 0);
  rows.push(['all calls', fmtInt(total), fmtInt(total / r.seconds), '', '', '', '']);
  const errors = [...r.errors].map(([k, n]) => `${n}× ${k}`).join('; ');
  return `${table(['call', 'n', 'calls/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'], rows)}\n\nErrors: ${errors || 'none'}.`;
}

export async function benchHttp(): Promise<string> {
  const tmp = tempDir();
  const db = join(tmp.dir, 'fleet.db');
  const load0 = loadavg()[0]!;
  const { agents: tokens, coordinator } = await makeTokens(db, AGENTS);
  const server = await startServer(db);
  const sessions: HttpAgent[] = [];
  try {
    const sections = [
      '## HTTP',
      '',
      `_Measured ${new Date().toISOString()} by \`npm run bench\` (bench/http.ts), load average ${load0.toFixed(1)} at the start. Server: \`node dist/cli.js serve --http 127.0.0.1:0\` in its own process (synchronous=FULL), rate limit raised for the bench; clients: the SDK's StreamableHTTPClientTransport in the bench process._`,
    ];
    const first = await connect(server.url, tokens[0]!);
    sessions.push(first);
    sections.push('', await roundTrips(first));

    for (const token of tokens.slice(1)) sessions.push(await connect(server.url, token));
    const rssIdle = rssOf(server.child.pid!);
    let cpu0 = [cpuSeconds(server.child.pid!), cpuSeconds(process.pid)];
    const beats = await load(sessions, async (_agent, timed) => {
      await timed('heartbeat', { status: 'working' });
      return true;
    });
    sections.push(
      '',
      `#### ${AGENTS} concurrent agents: heartbeats`,
      '',
      `${AGENTS} SDK clients, each with its own agent token and MCP session, each calling \`heartbeat\` back to back for ${LOAD_SECONDS} s (one request in flight per agent). Every heartbeat is a write transaction.`,
      '',
      loadTable(beats),
      '',
      cpuNote(delta(cpuSeconds(server.child.pid!), cpu0[0]!), delta(cpuSeconds(process.pid), cpu0[1]!), beats.seconds),
    );

    const boss = await connect(server.url, coordinator);
    sessions.push(boss);
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < TASKS) await boss.call('submit_task', { title: `task ${next++}`, instructions: 'bench', to_role: 'worker' });
      }),
    );
    const queued = TASKS;
    cpu0 = [cpuSeconds(server.child.pid!), cpuSeconds(process.pid)];
    const takenIds = new Set<string>();
    let takenTwice = 0;
    const work = await load(sessions.slice(0, AGENTS), async (_agent, timed) => {
      const taken = (await timed('take_task')) as { run?: { run_id: string; lease_epoch: number } | null };
      if (taken.run) {
        if (takenIds.has(taken.run.run_id)) takenTwice++;
        takenIds.add(taken.run.run_id);
      }
      if (!taken.run) {
        await timed('heartbeat', { status: 'idle' });
        return false;
      }
      await timed('heartbeat', { status: 'working', run_id: taken.run.run_id });
      await timed('submit_result', { run_id: taken.run.run_id, outcome: 'completed', summary: 'done', lease_epoch: taken.run.lease_epoch });
      return true;
    });
    const workCpu = cpuNote(delta(cpuSeconds(server.child.pid!), cpu0[0]!), delta(cpuSeconds(process.pid), cpu0[1]!), work.seconds);
    const rssLoaded = rssOf(server.child.pid!);
    sections.push(
      '',
      `#### ${AGENTS} concurrent agents: take_task → heartbeat → submit_result`,
      '',
      `The same ${AGENTS} agents work a queue of ${fmtInt(queued)} tasks (role \`worker\`) for ${LOAD_SECONDS} s: take one, heartbeat on it, submit its result; a heartbeat when the queue is empty. Runs handed out twice: ${takenTwice} (of ${fmtInt(takenIds.size)} taken).`,
      '',
      loadTable(work),
      '',
      workCpu,
      '',
      `Runs completed: ${fmtInt(work.completed)} in ${work.seconds.toFixed(1)} s = **${fmtInt(work.completed / work.seconds)} runs/s**. Server RSS: ${rssIdle === null ? '?' : (rssIdle / 1048576).toFixed(0)} MB with ${AGENTS} idle sessions, ${rssLoaded === null ? '?' : (rssLoaded / 1048576).toFixed(0)} MB after the load. Load average at the end: ${loadavg()[0]!.toFixed(1)}.`,
    );
    sections.push('', await heartbeatsWithoutFsync(tmp.dir));
    return sections.join('\n');
  } finally {
    await Promise.all(sessions.map((s) => s.close().catch(() => {})));
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGTERM');
    await exited;
    tmp.cleanup();
  }
}

/**
 * The same heartbeat load against a server with synchronous=NORMAL (no fsync per commit), on its
 * own database: what the HTTP path costs when the durable write is not the bottleneck.
 */
async function heartbeatsWithoutFsync(dir: string): Promise<string> {
  const db = join(dir, 'normal.db');
  const { agents: tokens } = await makeTokens(db, AGENTS);
  const server = await startServer(db, ['--synchronous', 'NORMAL']);
  const sessions: HttpAgent[] = [];
  try {
    for (const token of tokens) sessions.push(await connect(server.url, token));
    const cpu0 = [cpuSeconds(server.child.pid!), cpuSeconds(process.pid)];
    const beats = await load(sessions, async (_agent, timed) => {
      await timed('heartbeat', { status: 'working' });
      return true;
    });
    return [
      `#### ${AGENTS} concurrent agents: heartbeats, synchronous=NORMAL`,
      '',
      `As above, against a second server started with \`--synchronous NORMAL\` (commits are not fsynced; a power loss may lose the last ones, a process crash loses nothing).`,
      '',
      loadTable(beats),
      '',
      cpuNote(delta(cpuSeconds(server.child.pid!), cpu0[0]!), delta(cpuSeconds(process.pid), cpu0[1]!), beats.seconds),
    ].join('\n');
  } finally {
    await Promise.all(sessions.map((s) => s.close().catch(() => {})));
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGTERM');
    await exited;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchHttp().then(
    (md) => process.stdout.write(`${md}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
