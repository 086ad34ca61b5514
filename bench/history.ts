/**
 * Flat under history (issue 20): per-call latency of the agent tools, the overview and the CLI's
 * fleet views on a fleet with N finished runs (submit → take → claim → evidence → result, four
 * workers) against a fresh fleet in the same run, plus the database's bytes per finished run.
 *
 * Both fleets are embedded SQLite files built the same way through in-process MCP clients. The
 * history is written at synchronous=NORMAL to build it faster; both fleets are then reopened at
 * the default (FULL) and measured the same way, alternating between them.
 *
 *   node --import tsx bench/history.ts                 12,000 runs (what CI runs)
 *   node --import tsx bench/history.ts --runs 100000   the large size (npm run bench)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openApp, type App } from '../src/main.js';
import { connectDemoClient, type DemoClient } from '../scripts/demo-app.js';
import { createAccessToken } from '../src/services/access-tokens.js';
import { startTestHttp } from '../test/helpers/http.js';
import { CLI, fmtInt, fmtMs, fmtRatio, median, sample, table } from './lib.js';

const WORKERS = 4;
const CALLS = 300;
const CLI_RUNS = 5;
const PAGE_LOADS = 30;
const CONSOLE_PAGES = ['/', '/agents', '/runs', '/claims', '/blockers', '/events', '/queue'];

/** A console session on `origin` signed in with a fresh operator token (the sign-in form, as a browser posts it). */
async function consoleSession(app: App, origin: string): Promise<string> {
  const token = (await createAccessToken(app.deps, 'operator:bench', { kind: 'operator', label: 'bench' })).secret;
  const form = await fetch(`${origin}/login`);
  const cookie = form.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${origin}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: csrf, token }),
  });
  const m = /fleetdeck_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '');
  if (!m) throw new Error(`console sign-in failed: HTTP ${res.status}`);
  return `fleetdeck_session=${m[1]}`;
}

/** Median ms to fetch a console page's HTML, and its size in bytes. */
async function pageTime(origin: string, session: string, path: string): Promise<{ ms: number; bytes: number }> {
  let bytes = 0;
  const samples = await sample(PAGE_LOADS, 3, async () => {
    const res = await fetch(`${origin}${path}`, { headers: { cookie: session, Accept: 'text/html' } });
    bytes = (await res.arrayBuffer()).byteLength;
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
  });
  return { ms: median(samples), bytes };
}
const FRESH_RUNS = 100;

interface Fleet {
  dir: string;
  db: string;
  app: App;
  clock: ManualClock;
  close(): Promise<void>;
}

async function openFleet(dir: string, synchronous: 'FULL' | 'NORMAL'): Promise<Fleet> {
  const db = join(dir, 'fleet.db');
  const config = loadConfig({ db, dataDir: dir, workspace: dir, agentLeaseSeconds: '86400', pollMs: '200', synchronous }, {});
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 8));
  const app = await openApp(config, { clock, logger: pino({ level: 'silent' }) });
  return { dir, db, app, clock, close: () => app.close() };
}

/** `runs` finished runs through `WORKERS` agents, each the way an agent works: submit, take, claim, evidence, result. */
async function buildHistory(fleet: Fleet, runs: number): Promise<void> {
  const workers: DemoClient[] = [];
  for (let w = 0; w < WORKERS; w++) {
    const c = await connectDemoClient(fleet.app);
    await c.ok('register_agent', { name: `worker-${w}`, role: 'implementer' });
    workers.push(c);
  }
  for (let i = 0; i < runs; i++) {
    const c = workers[i % WORKERS]!;
    const sub = await c.ok<{ run_id: string }>('submit_task', { title: `task ${i}`, instructions: `do task ${i}`, to_role: 'implementer' });
    const taken = await c.ok<{ run: { run_id: string } | null }>('take_task');
    const runId = taken.run?.run_id ?? sub.run_id;
    await c.ok('claim_scope', { scopes: [{ kind: 'path', pattern: `src/module-${i % 500}/file-${i}.ts` }], run_id: runId });
    const art = await c.ok<{ artifact_id: string }>('attach_evidence', { run_id: runId, kind: 'test-output', content: `ok ${i}: 12 passed` });
    await c.ok('submit_result', { run_id: runId, outcome: 'completed', summary: `done ${i}`, evidence: [art.artifact_id] });
    fleet.clock.advance(1_000);
  }
  await Promise.all(workers.map((c) => c.close()));
}

interface Probe {
  label: string;
  call: (c: DemoClient, fleet: Fleet) => Promise<unknown>;
}

const PROBES: Probe[] = [
  { label: 'heartbeat', call: (c) => c.ok('heartbeat') },
  { label: 'whoami', call: (c) => c.ok('whoami') },
  { label: 'take_task (empty queue)', call: (c) => c.ok('take_task') },
  { label: 'check_scope', call: (c) => c.ok('check_scope', { scopes: [{ kind: 'path', pattern: 'src/module-7/**' }] }) },
  { label: 'list_runs', call: (c) => c.ok('list_runs', { limit: 50 }) },
  { label: 'fleet_status', call: (c) => c.ok('fleet_status') },
];

function cliMs(db: string, args: string[]): number {
  const samples: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    const started = performance.now();
    execFileSync(process.execPath, [CLI, ...args, '--db', db, '--json'], { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, FLEETDECK_LOG_LEVEL: 'warn' } });
    samples.push(performance.now() - started);
  }
  return median(samples);
}

export async function benchHistory(runs = 12_000): Promise<string> {
  const freshDir = mkdtempSync(join(tmpdir(), 'fleetdeck-history-fresh-'));
  const historyDir = mkdtempSync(join(tmpdir(), 'fleetdeck-history-'));
  const load = loadavg()[0]!.toFixed(2);
  try {
    const started = performance.now();
    // the fresh fleet has enough runs to fill every page the views show (list_runs, runs: 50)
    for (const [dir, n] of [[freshDir, FRESH_RUNS], [historyDir, runs]] as const) {
      const builder = await openFleet(dir, 'NORMAL');
      await buildHistory(builder, n);
      await builder.close();
    }
    const buildSeconds = (performance.now() - started) / 1000;
    const fresh = await openFleet(freshDir, 'FULL');
    const history = await openFleet(historyDir, 'FULL');
    const rows: (string | number)[][] = [];
    try {
      const clients = [await connectDemoClient(fresh.app), await connectDemoClient(history.app)];
      for (const c of clients) await c.ok('register_agent', { name: 'probe', role: 'implementer' });
      const fleets = [fresh, history];
      for (const probe of PROBES) {
        const medians = [0, 1].map(() => 0);
        // alternate between the fleets so drift in the machine's load hits both alike
        for (let round = 0; round < 3; round++) {
          for (const k of [0, 1]) medians[k]! += median(await sample(CALLS / 3, 20, () => probe.call(clients[k]!, fleets[k]!))) / 3;
        }
        rows.push([probe.label, fmtMs(medians[0]!), fmtMs(medians[1]!), fmtRatio(medians[1]!, medians[0]!)]);
      }
      const overview = await Promise.all(
        fleets.map((f) => sample(CALLS, 20, () => f.app.deps.store.read(async (tx) => tx.runs.countByState()))),
      ).then((s) => s.map(median));
      rows.push(['overview run counts (store)', fmtMs(overview[0]!), fmtMs(overview[1]!), fmtRatio(overview[1]!, overview[0]!)]);
      await Promise.all(clients.map((c) => c.close()));
      const servers = [await startTestHttp(fresh.app), await startTestHttp(history.app)];
      try {
        const sessions = [await consoleSession(fresh.app, servers[0]!.origin), await consoleSession(history.app, servers[1]!.origin)];
        for (const path of CONSOLE_PAGES) {
          const a = await pageTime(servers[0]!.origin, sessions[0]!, path);
          const b = await pageTime(servers[1]!.origin, sessions[1]!, path);
          rows.push([`console ${path} (${(b.bytes / 1024).toFixed(0)} KiB)`, fmtMs(a.ms), fmtMs(b.ms), fmtRatio(b.ms, a.ms)]);
        }
      } finally {
        await Promise.all(servers.map((s) => s.close()));
      }
    } finally {
      await fresh.close();
      await history.close();
    }
    for (const [label, args] of [['fleetdeck stats', ['stats']], ['fleetdeck runs', ['runs']], ['fleetdeck events', ['events']], ['fleetdeck status', ['status']]] as const) {
      const a = cliMs(join(freshDir, 'fleet.db'), [...args]);
      const b = cliMs(join(historyDir, 'fleet.db'), [...args]);
      rows.push([`${label} (process)`, fmtMs(a), fmtMs(b), fmtRatio(b, a)]);
    }
    const bytes = statSync(join(historyDir, 'fleet.db')).size;
    return [
      `## Flat under history: ${fmtInt(runs)} finished runs against a fresh fleet (${FRESH_RUNS} runs)`,
      '',
      `Load average at start ${load}; history built in ${buildSeconds.toFixed(0)} s. Median ms per call (in-process MCP client; CLI: whole process, median of ${CLI_RUNS}).`,
      '',
      table(['call', 'fresh fleet (ms)', `${fmtInt(runs)} runs (ms)`, 'ratio'], rows),
      '',
      `Database: ${(bytes / 1024 / 1024).toFixed(1)} MB, ${fmtInt(bytes / runs)} bytes per finished run (no retention applied: every run is recent).`,
    ].join('\n');
  } finally {
    rmSync(freshDir, { recursive: true, force: true });
    rmSync(historyDir, { recursive: true, force: true });
  }
}

/** `npm run bench`: the large size. */
export const benchHistoryLarge = (): Promise<string> => benchHistory(100_000);

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 12_000;
  process.stdout.write(`${await benchHistory(runs)}\n`);
}
