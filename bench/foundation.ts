/**
 * The foundation's costs, each against a baseline measured in the same run:
 * - stdio round trips of `heartbeat` (a write) and `whoami` (a read) against the protocol's `ping`
 *   on the same connection;
 * - cold start, spawn to the first response, against a bare node process and a minimal SDK server;
 * - write transactions per second of the store against a bare better-sqlite3 transaction with the
 *   same pragmas (openDatabase), for both synchronous settings;
 * - resident memory of an idle server against an idle bare node process;
 * - the size of tools/list, which every client reads before its first call.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { openApp } from '../src/main.js';
import { heartbeat, registerAgent } from '../src/services/agents.js';
import { writeTx } from '../src/services/tx.js';
import { openDatabase } from '../src/store/sqlite/open.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { CLI, fmtInt, fmtMb, fmtMs, fmtRatio, median, REPO_ROOT, rssOf, sample, sleep, spawnClient, stats, table, tempDir, type Stats } from './lib.js';

const ROUND_TRIPS = 2_000;
const ROUND_TRIP_WARMUP = 200;
const BLOCK = 100; // the three calls alternate in blocks, so drift hits all of them alike
const COLD_STARTS = 10;
const WRITES = 2_000;
const WRITE_WARMUP = 200;
const WRITE_BLOCK = 200;
const IDLE_MS = 2_000;

const INITIALIZE = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } },
})}\n`;

/** Baselines for start-up and memory: a node process that answers one line, and the SDK's server with nothing registered. */
const BARE_NODE = ['-e', "process.stdin.once('data', () => process.stdout.write('{}\\n')); process.stdin.on('end', () => process.exit(0));"];
const MINIMAL_SDK = [
  '--input-type=module',
  '-e',
  [
    "import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';",
    "import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';",
    "const server = new McpServer({ name: 'minimal', version: '0' });",
    "process.stdin.on('end', () => process.exit(0));",
    'await server.connect(new StdioServerTransport());',
  ].join('\n'),
];

export async function benchFoundation(): Promise<string> {
  const tmp = tempDir();
  try {
    const sections: string[] = ['## Foundation', '', `_Measured ${new Date().toISOString()} by \`npm run bench\` (bench/foundation.ts); temp files in ${tmp.dir.replace(/\/[^/]+$/, '')}._`];
    const db = join(tmp.dir, 'fleet.db');

    const trips = await roundTrips(db);
    sections.push('', trips.markdown);
    sections.push('', await coldStarts(tmp.dir, db));
    sections.push('', await writeThroughput(tmp.dir));
    sections.push('', await memory(db, trips.rssAfterLoad));
    sections.push('', await listingSize(db));
    return sections.join('\n');
  } finally {
    tmp.cleanup();
  }
}

async function roundTrips(db: string): Promise<{ markdown: string; rssAfterLoad: number | null }> {
  const server = await spawnClient({ db });
  try {
    await server.call('register_agent', { name: 'bench', role: 'implementer' });
    const calls: Record<'ping' | 'whoami' | 'heartbeat', (i: number) => Promise<unknown>> = {
      ping: () => server.client.ping(),
      whoami: () => server.call('whoami'),
      heartbeat: (i) => server.call('heartbeat', { note: `bench ${i}` }),
    };
    const samples: Record<keyof typeof calls, number[]> = { ping: [], whoami: [], heartbeat: [] };
    for (const fn of Object.values(calls)) await sample(0, ROUND_TRIP_WARMUP, fn);
    for (let block = 0; block < ROUND_TRIPS / BLOCK; block++) {
      for (const [name, fn] of Object.entries(calls) as [keyof typeof calls, (i: number) => Promise<unknown>][]) {
        samples[name].push(...(await sample(BLOCK, 0, (i) => fn(block * BLOCK + i))));
      }
    }
    const s = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, stats(v)])) as Record<keyof typeof calls, Stats>;
    const row = (label: string, x: Stats) => [label, x.n, fmtMs(x.p50), fmtMs(x.p90), fmtMs(x.p99), fmtMs(x.mean), fmtRatio(x.p50, s.ping.p50), fmtRatio(x.mean, s.ping.mean)];
    const markdown = [
      `### Round trips over stdio`,
      '',
      `One SDK Client, one request in flight, ${fmtInt(ROUND_TRIPS)} calls each after ${ROUND_TRIP_WARMUP} warm-up, alternating in blocks of ${BLOCK}. ` +
        '`heartbeat` is a write transaction (synchronous=FULL); `whoami` reads; `ping` is the protocol no-op on the same connection.',
      '',
      table(
        ['call', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms', 'p50 vs ping', 'mean vs ping'],
        [row('`ping` (baseline)', s.ping), row('`whoami`', s.whoami), row('`heartbeat`', s.heartbeat)],
      ),
    ].join('\n');
    return { markdown, rssAfterLoad: rssOf(server.pid) };
  } finally {
    await server.close();
  }
}

/** Spawn → first line on stdout, after writing an initialize request at once. */
function timeFirstResponse(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
    let elapsed: number | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      if (elapsed === null && chunk.includes(10)) {
        elapsed = performance.now() - start;
        child.stdin.end();
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => (elapsed === null ? reject(new Error(`exited with ${code} before answering`)) : resolve(elapsed)));
    child.stdin.write(INITIALIZE);
  });
}

async function coldStarts(dir: string, migratedDb: string): Promise<string> {
  const serve = (db: string) => ({ args: [CLI, 'serve'], env: { FLEETDECK_DB: db, FLEETDECK_LOG_LEVEL: 'warn' } });
  const variants: { label: string; run: (i: number) => Promise<number> }[] = [
    { label: 'bare `node` answering one line (baseline)', run: () => timeFirstResponse(BARE_NODE, {}) },
    { label: 'minimal SDK `McpServer`, nothing registered', run: () => timeFirstResponse(MINIMAL_SDK, {}) },
    { label: '`fleetdeck serve`, existing file', run: () => timeFirstResponse(serve(migratedDb).args, serve(migratedDb).env) },
    { label: '`fleetdeck serve`, existing file, `--workspace` given (no `git`)', run: () => timeFirstResponse(serve(migratedDb).args, { ...serve(migratedDb).env, FLEETDECK_WORKSPACE: REPO_ROOT }) },
    { label: '`fleetdeck serve`, new file (creates and migrates it)', run: (i) => timeFirstResponse(serve(join(dir, `cold-${i}.db`)).args, serve(join(dir, `cold-${i}.db`)).env) },
  ];
  const times = new Map<string, number[]>(variants.map((v) => [v.label, []]));
  await timeFirstResponse(BARE_NODE, {}); // page in node itself
  for (let i = 0; i < COLD_STARTS; i++) for (const v of variants) times.get(v.label)!.push(await v.run(i));
  const base = median(times.get(variants[0]!.label)!);
  return [
    '### Cold start',
    '',
    `Spawn to the first response to \`initialize\`, median of ${COLD_STARTS} spawns each (interleaved). The server resolves its default workspace with \`git rev-parse\` (run from the repository), as it does for an agent.`,
    '',
    table(
      ['process', 'median ms', 'min ms', 'max ms', 'vs bare node'],
      variants.map((v) => {
        const t = times.get(v.label)!;
        return [v.label, fmtMs(median(t)), fmtMs(Math.min(...t)), fmtMs(Math.max(...t)), fmtRatio(median(t), base)];
      }),
    ),
  ].join('\n');
}

async function writeThroughput(dir: string): Promise<string> {
  const silent = pino({ level: 'silent' });
  const rows: (string | number)[][] = [];
  for (const synchronous of ['FULL', 'NORMAL'] as const) {
    const payload = JSON.stringify({ note: 'bench', progress: 0.5 });

    const bare = openDatabase(join(dir, `bare-${synchronous}.db`), { synchronous });
    bare.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, payload TEXT NOT NULL) STRICT');
    const insert = bare.prepare('INSERT INTO t (at, payload) VALUES (?, ?)');
    const bareTx = bare.transaction((i: number) => insert.run(i, payload));

    const store = await SqliteStore.open({ file: join(dir, `store-${synchronous}.db`), synchronous, now: () => Date.now() });

    const config = loadConfig({ db: join(dir, `service-${synchronous}.db`), workspace: dir, synchronous }, {});
    const app = await openApp(config, { logger: silent });
    const { agent } = await registerAgent(app.deps, { name: 'bench', role: 'implementer' });

    const variants: Record<'bare' | 'store' | 'expiry' | 'service', (i: number) => unknown> = {
      bare: (i) => bareTx.immediate(i),
      store: (i) => store.write(async (tx) => await tx.events.append({ actor: 'system', type: 'agent.heartbeat', payload: { note: 'bench', progress: i } }, Date.now())),
      expiry: () => writeTx(app.deps, async () => 0),
      service: (i) => heartbeat(app.deps, agent.id, { note: `bench ${i}`, progress: 0.5 }),
    };
    const samples: Record<keyof typeof variants, number[]> = { bare: [], store: [], expiry: [], service: [] };
    for (const fn of Object.values(variants)) await sample(0, WRITE_WARMUP, fn);
    // alternate in blocks, so a burst of disk activity elsewhere hits every variant alike
    for (let block = 0; block < WRITES / WRITE_BLOCK; block++) {
      for (const [name, fn] of Object.entries(variants) as [keyof typeof variants, (i: number) => unknown][]) {
        samples[name].push(...(await sample(WRITE_BLOCK, 0, (i) => fn(block * WRITE_BLOCK + i))));
      }
    }
    bare.close();
    await store.close();
    app.close();

    const perSecond = (xs: number[]) => (xs.length / sum(xs)) * 1000;
    const labels: Record<keyof typeof variants, string> = {
      bare: 'bare better-sqlite3 insert (baseline)',
      store: '`store.write`: one audit event',
      expiry: '`writeTx` with an empty body (expiry only)',
      service: '`heartbeat` service',
    };
    for (const name of Object.keys(variants) as (keyof typeof variants)[]) {
      const x = stats(samples[name]);
      rows.push([synchronous, labels[name], fmtInt(perSecond(samples[name])), fmtMs(x.p50), fmtMs(x.p99), fmtRatio(perSecond(samples.bare), perSecond(samples[name]))]);
    }
  }
  return [
    '### Write transactions per second',
    '',
    `One process, sequential, ${fmtInt(WRITES)} transactions each after ${WRITE_WARMUP} warm-up, alternating in blocks of ${WRITE_BLOCK}, on files opened with the store's pragmas (WAL); tx/s is n ÷ total time. ` +
      'Baseline: a bare better-sqlite3 `BEGIN IMMEDIATE` transaction inserting one row. `store.write`: one audit event (reads the chain head, hashes, inserts with its indexes). ' +
      '`writeTx` with an empty body: the expiry every write transaction runs first (stale agents and every concept\'s expiry step); it changes nothing, so it never syncs. ' +
      '`heartbeat` service: a full `writeTx` (expiry, sign of life with its renewers, status update, audit event).',
    '',
    table(['synchronous', 'transaction', 'tx/s', 'p50 ms', 'p99 ms', 'bare tx/s ÷ this'], rows),
  ].join('\n');
}

async function memory(db: string, rssAfterLoad: number | null): Promise<string> {
  const idleRss = async (args: string[], env: Record<string, string>): Promise<number | null> => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
    const answered = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdin.write(INITIALIZE);
    await answered;
    await sleep(IDLE_MS);
    const rss = rssOf(child.pid!);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    await exited;
    return rss;
  };
  const bare = await idleRss(BARE_NODE, {});
  const sdk = await idleRss(MINIMAL_SDK, {});

  const server = await spawnClient({ db });
  await server.call('register_agent', { name: 'idle', role: 'implementer' });
  await server.call('heartbeat', { note: 'about to idle' });
  await server.call('whoami');
  await sleep(IDLE_MS);
  const fleet = rssOf(server.pid);
  await server.close();

  const mb = (b: number | null) => (b === null ? 'n/a' : fmtMb(b));
  const vs = (b: number | null) => (b === null || bare === null ? 'n/a' : fmtRatio(b, bare));
  return [
    '### Memory',
    '',
    `Resident set size after ${IDLE_MS / 1000} s idle (after answering \`initialize\`).`,
    '',
    table(
      ['process', 'RSS MB', 'vs bare node'],
      [
        ['bare `node` (baseline)', mb(bare), vs(bare)],
        ['minimal SDK `McpServer`', mb(sdk), vs(sdk)],
        ['`fleetdeck serve`, registered, idle', mb(fleet), vs(fleet)],
        [`\`fleetdeck serve\` right after the ${fmtInt(3 * (ROUND_TRIPS + ROUND_TRIP_WARMUP))} round trips above`, mb(rssAfterLoad), vs(rssAfterLoad)],
      ],
    ),
  ].join('\n');
}

async function listingSize(db: string): Promise<string> {
  const rows: (string | number)[][] = [];
  for (const toolset of ['agent', 'operator'] as const) {
    const server = await spawnClient({ db, args: toolset === 'operator' ? ['--operator'] : [] });
    const listing = await server.client.listTools();
    const bytes = Buffer.byteLength(JSON.stringify(listing));
    const outputBytes = Buffer.byteLength(JSON.stringify(listing.tools.map((t) => t.outputSchema ?? {})));
    rows.push([toolset, listing.tools.length, fmtInt(bytes), fmtInt(outputBytes), `≈ ${fmtInt(bytes / 4)}`]);
    await server.close();
  }
  return [
    '### Tool listing',
    '',
    'What a client reads from `tools/list` before its first call (compact JSON). Tokens are estimated at 4 bytes each.',
    '',
    table(['toolset', 'tools', 'bytes', 'of which output schemas', 'tokens'], rows),
  ].join('\n');
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
