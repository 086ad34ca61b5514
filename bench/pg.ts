/**
 * PostgreSQL: fleetdeck as three `serve --http` replicas on one database, against pg-boss on the
 * same server in the same run.
 * 1. queue cycles/s (submit → take → complete), workers spread over the three replicas, against
 *    pg-boss (three instances, send → fetch → complete) with the same number of workers;
 * 2. heartbeat latency with 50 agents spread over the replicas, against MCP ping on the same connections;
 * 3. round trips to PostgreSQL per hot tool (in process, counted by the store).
 * Skipped with the reason when PostgreSQL is unreachable (FLEETDECK_BENCH_PG_URL, default local).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { openApp, type App } from '../src/main.js';
import { createServer } from '../src/mcp/server.js';
import { Session } from '../src/mcp/session.js';
import { createAccessToken } from '../src/services/access-tokens.js';
import { PgStore } from '../src/store/postgres/pg-store.js';
import { CLI, fmtInt, fmtMs, fmtRatio, REPO_ROOT, stats, table, tempDir } from './lib.js';

const ADMIN_URL = process.env.FLEETDECK_BENCH_PG_URL ?? process.env.FLEETDECK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REPLICAS = 3;
const WORKERS = 6;
const CYCLES_PER_WORKER = 60;
const HEARTBEAT_AGENTS = 50;
const HEARTBEATS_PER_AGENT = 10;

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL's own CPU: user + system time of the server backends connected to the bench database
 * under one application_name, read from /proc (the server is on this host). Background processes
 * (WAL writer, checkpointer, autovacuum) are shared with anything else on the server and are left out.
 * Backends that exit mid-phase would lose their time, so each phase is read before its clients stop.
 */
async function backendCpuMs(database: string, application: string): Promise<Map<number, number> | null> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const r = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [database, application]);
    const out = new Map<number, number>();
    for (const { pid } of r.rows) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        out.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / 100); // utime + stime, 100 ticks/s
      } catch {
        return null; // not on this host
      }
    }
    return out;
  } finally {
    await client.end();
  }
}

function cpuDelta(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let ms = 0;
  for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
  return ms;
}

function urlOf(database: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

async function startReplica(db: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--http', '127.0.0.1:0', '--db', db, '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    env: { ...process.env, FLEETDECK_LOG_LEVEL: 'info', FLEETDECK_HTTP_RATE: '100000', FLEETDECK_HTTP_BURST: '100000' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /"url":"([^"]+\/mcp)"/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}: ${stderr}`)));
  });
  // a replica dying mid-bench shows up as a fetch error in a client: say why it died
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null) process.stderr.write(`replica exited (${code ?? signal}): ${stderr.slice(-2000)}\n`);
  });
  return { child, url };
}

interface HttpAgent {
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

async function connect(url: string, token: string): Promise<HttpAgent> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  const client = new Client({ name: 'fleetdeck-bench-pg', version: '0.0.0' });
  await client.connect(transport);
  await client.listTools();
  return {
    client,
    async call(name, args = {}) {
      const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
      if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.structuredContent)}`);
      return r.structuredContent as Record<string, unknown>;
    },
    close: () => client.close(),
  };
}

async function fleetdeckQueue(urls: string[], tokens: string[], database: string): Promise<{ perSecond: number; cycles: number; cpuMsPerCycle: number | null}> {
  const agents = await Promise.all(tokens.map((t, i) => connect(urls[i % urls.length]!, t)));
  const cpuBefore = await backendCpuMs(database, 'fleetdeck');
  const started = performance.now();
  await Promise.all(
    agents.map(async (a) => {
      for (let i = 0; i < CYCLES_PER_WORKER; i++) {
        await a.call('submit_task', { title: 'cycle', instructions: 'x', to_role: 'bench' });
        const taken = (await a.call('take_task')) as { run: { run_id: string; lease_epoch: number } | null };
        if (taken.run) await a.call('submit_result', { run_id: taken.run.run_id, outcome: 'completed', summary: 'ok', lease_epoch: taken.run.lease_epoch });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuDelta(cpuBefore, await backendCpuMs(database, 'fleetdeck'));
  await Promise.all(agents.map((a) => a.close()));
  const cycles = WORKERS * CYCLES_PER_WORKER;
  return { perSecond: cycles / seconds, cycles, cpuMsPerCycle: cpu === null ? null : cpu / cycles };
}

async function pgBossQueue(url: string, database: string): Promise<{ perSecond: number; cpuMsPerCycle: number | null}> {
  const bosses = await Promise.all(
    Array.from({ length: REPLICAS }, async () => {
      const boss = new PgBoss({ connectionString: url, max: 4 });
      boss.on('error', () => {});
      await boss.start();
      return boss;
    }),
  );
  await bosses[0]!.createQueue('bench');
  const cpuBefore = await backendCpuMs(database, 'pgboss');
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      const boss = bosses[w % REPLICAS]!;
      for (let i = 0; i < CYCLES_PER_WORKER; i++) {
        await boss.send('bench', { i });
        const [job] = await boss.fetch('bench');
        if (job) await boss.complete('bench', job.id);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuDelta(cpuBefore, await backendCpuMs(database, 'pgboss'));
  await Promise.all(bosses.map((b) => b.stop({ graceful: false, wait: true })));
  const cycles = WORKERS * CYCLES_PER_WORKER;
  return { perSecond: cycles / seconds, cpuMsPerCycle: cpu === null ? null : cpu / cycles };
}

async function heartbeats(urls: string[], tokens: string[]) {
  const agents = await Promise.all(tokens.map((t, i) => connect(urls[i % urls.length]!, t)));
  const beat: number[] = [];
  const ping: number[] = [];
  await Promise.all(
    agents.map(async (a) => {
      for (let i = 0; i < HEARTBEATS_PER_AGENT; i++) {
        let t = performance.now();
        await a.client.ping();
        ping.push(performance.now() - t);
        t = performance.now();
        await a.call('heartbeat', { status: 'working' });
        beat.push(performance.now() - t);
      }
    }),
  );
  await Promise.all(agents.map((a) => a.close()));
  return { beat: stats(beat), ping: stats(ping) };
}

/** Round trips to PostgreSQL of one tool call, counted by the store of an in-process app. */
async function roundTrips(url: string, dataDir: string): Promise<(string | number)[][]> {
  const app: App = await openApp(loadConfig({ db: url, dataDir, workspace: dataDir }, {}), { logger: pino({ level: 'silent' }) });
  const store = app.deps.store as PgStore;
  const session = new Session();
  const server = createServer({ deps: app.deps, feed: app.feed, session, toolset: 'agent', version: 'bench' });
  const [c, s] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'rt', version: '0' });
  await Promise.all([server.mcp.connect(s), client.connect(c)]);
  await client.listTools();
  const rows: (string | number)[][] = [];
  const measure = async (name: string, args: Record<string, unknown>) => {
    const before = { ...store.stats };
    const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
    if (r.isError) throw new Error(`${name}: ${JSON.stringify(r.structuredContent)}`);
    // a read's COMMIT completes after its answer (and is counted then): let it land in this call
    await new Promise((resolve) => setTimeout(resolve, 50));
    rows.push([name, store.stats.transactions - before.transactions, store.stats.roundTrips - before.roundTrips]);
    return r.structuredContent as Record<string, unknown>;
  };
  await measure('register_agent', { name: 'rt', role: 'rt' });
  await measure('heartbeat', {});
  await measure('heartbeat', { status: 'working', note: 'second' });
  await measure('whoami', {});
  const sub = await measure('submit_task', { title: 't', instructions: 'i', to_role: 'rt' });
  const take = (await measure('take_task', {})) as { run: { run_id: string; lease_epoch: number } };
  await measure('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }], run_id: take.run.run_id });
  await measure('attach_evidence', { run_id: take.run.run_id, kind: 'log', content: 'ok' });
  await measure('submit_result', { run_id: take.run.run_id, outcome: 'completed', summary: 'ok', lease_epoch: take.run.lease_epoch });
  void sub;
  await client.close();
  await server.dispose();
  await app.close();
  return rows;
}

const cpuMs = (ms: number | null) => (ms === null ? 'n/a (server not on this host)' : ms.toFixed(2));

export async function benchPg(): Promise<string> {
  const name = `fd_bench_${randomBytes(5).toString('hex')}`;
  try {
    await admin(`CREATE DATABASE ${name}`);
  } catch (error) {
    return `## PostgreSQL\n\nSkipped: PostgreSQL unreachable at ${ADMIN_URL.replace(/:[^:@/]+@/, ':***@')} (${(error as Error).message}); set FLEETDECK_BENCH_PG_URL.`;
  }
  const url = urlOf(name);
  const tmp = tempDir();
  const children: ChildProcess[] = [];
  try {
    const app = await openApp(loadConfig({ db: url, dataDir: tmp.dir, workspace: tmp.dir }, {}), { logger: pino({ level: 'silent' }) });
    const token = async (agent: string, role: string) => (await createAccessToken(app.deps, 'operator:bench', { kind: 'agent', agent, role })).secret;
    const workerTokens = await Promise.all(Array.from({ length: WORKERS }, (_, i) => token(`worker-${i}`, 'bench')));
    const beatTokens = await Promise.all(Array.from({ length: HEARTBEAT_AGENTS }, (_, i) => token(`beat-${i}`, 'beat')));
    await app.close();
    const replicas = [];
    for (let i = 0; i < REPLICAS; i++) {
      const r = await startReplica(url, tmp.dir);
      children.push(r.child);
      replicas.push(r);
    }
    const urls = replicas.map((r) => r.url);

    const boss = await pgBossQueue(url, name);
    const fleet = await fleetdeckQueue(urls, workerTokens, name);
    const hb = await heartbeats(urls, beatTokens);
    for (const c of children) c.kill('SIGTERM');
    const rt = await roundTrips(url, tmp.dir);

    return [
      '## PostgreSQL: three replicas on one database',
      '',
      `PostgreSQL on ${new URL(ADMIN_URL).host}; ${REPLICAS} \`serve --http\` replicas; ${WORKERS} workers spread over them, ${CYCLES_PER_WORKER} cycles each.`,
      'PostgreSQL CPU: user + system time of the backends serving each side (from /proc; background writers excluded), per cycle.',
      '',
      table(
        ['queue cycle (submit → take → complete)', 'cycles/s', 'vs pg-boss', 'PostgreSQL CPU ms/cycle', 'CPU vs pg-boss'],
        [
          [`fleetdeck over MCP/HTTP, ${REPLICAS} replicas`, fmtInt(fleet.perSecond), fmtRatio(fleet.perSecond, boss.perSecond), cpuMs(fleet.cpuMsPerCycle),
            fleet.cpuMsPerCycle !== null && boss.cpuMsPerCycle !== null ? fmtRatio(fleet.cpuMsPerCycle, boss.cpuMsPerCycle) : 'n/a'],
          [`pg-boss ${REPLICAS} instances, send → fetch → complete (baseline)`, fmtInt(boss.perSecond), '1.00×', cpuMs(boss.cpuMsPerCycle), '1.00×'],
        ],
      ),
      '',
      `${HEARTBEAT_AGENTS} agents spread over the replicas, ${HEARTBEATS_PER_AGENT} heartbeats each, all at once (ms):`,
      '',
      table(
        ['call', 'p50', 'p90', 'p99', 'max', 'p99 vs ping'],
        [
          ['heartbeat', fmtMs(hb.beat.p50), fmtMs(hb.beat.p90), fmtMs(hb.beat.p99), fmtMs(hb.beat.max), fmtRatio(hb.beat.p99, hb.ping.p99)],
          ['MCP ping, same connections (baseline)', fmtMs(hb.ping.p50), fmtMs(hb.ping.p90), fmtMs(hb.ping.p99), fmtMs(hb.ping.max), '1.00×'],
        ],
      ),
      '',
      'Round trips to PostgreSQL per tool call (in process; BEGIN and COMMIT count):',
      '',
      table(['tool', 'transactions', 'round trips'], rt),
    ].join('\n');
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    tmp.cleanup();
  }
}
