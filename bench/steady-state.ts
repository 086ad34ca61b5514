/**
 * Steady-state size (issue 20): a busy embedded fleet in compressed time with retention on. Each
 * simulated day, four workers finish RUNS_PER_DAY runs through in-process MCP clients (submit →
 * take → claim → evidence → result, heartbeats between), the clock moves on, and the retention
 * pass runs as servers run it (here once per simulated hour, to completion). The database file's
 * size is printed per day: with retention it grows until the periods are reached, then levels off.
 *
 * What the live database holds depends on (rate × period), not on the rate alone: the shortened
 * periods used here (runs 3 days, events 5, signals 1) at RUNS_PER_DAY a day hold as many runs as
 * the defaults (30/90/7 days) at a tenth of the rate, and as 3,000 runs an hour kept for one hour.
 *
 *   node --import tsx bench/steady-state.ts [--days 14] [--runs-per-day 1000]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openApp } from '../src/main.js';
import { applyRetention } from '../src/services/retention/apply.js';
import { connectDemoClient, type DemoClient } from '../scripts/demo-app.js';
import { fmtInt, table } from './lib.js';

const WORKERS = 4;
const HOUR = 3_600_000;

function fileBytes(db: string): number {
  let total = 0;
  for (const suffix of ['', '-wal']) {
    try {
      total += statSync(db + suffix).size;
    } catch {
      // no WAL right after a checkpoint
    }
  }
  return total;
}

export async function benchSteadyState(days = 14, runsPerDay = 1_000): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdeck-steady-'));
  const db = join(dir, 'fleet.db');
  const load = loadavg()[0]!.toFixed(2);
  const config = loadConfig(
    { db, dataDir: dir, workspace: dir, agentLeaseSeconds: '86400', synchronous: 'NORMAL', retainDays: '3', retainEventsDays: '5', retainSignalsDays: '1' },
    {},
  );
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  const app = await openApp(config, { clock, logger: pino({ level: 'silent' }) });
  const rows: (string | number)[][] = [];
  try {
    const workers: DemoClient[] = [];
    for (let w = 0; w < WORKERS; w++) {
      const c = await connectDemoClient(app);
      await c.ok('register_agent', { name: `worker-${w}`, role: 'implementer' });
      workers.push(c);
    }
    const perHour = Math.max(1, Math.round(runsPerDay / 24));
    let finished = 0;
    for (let day = 1; day <= days; day++) {
      for (let hour = 0; hour < 24; hour++) {
        for (let i = 0; i < perHour; i++) {
          const c = workers[finished % WORKERS]!;
          const sub = await c.ok<{ run_id: string }>('submit_task', { title: `task ${finished}`, instructions: `do task ${finished}`, to_role: 'implementer' });
          const taken = await c.ok<{ run: { run_id: string } | null }>('take_task');
          const runId = taken.run?.run_id ?? sub.run_id;
          await c.ok('claim_scope', { scopes: [{ kind: 'path', pattern: `src/m${finished % 300}/f${finished}.ts` }], run_id: runId });
          await c.ok('heartbeat', { note: `working on ${finished}`, run_id: runId, progress: 0.5 });
          const art = await c.ok<{ artifact_id: string }>('attach_evidence', { run_id: runId, kind: 'test-output', content: `ok ${finished}: 12 passed` });
          await c.ok('submit_result', { run_id: runId, outcome: 'completed', summary: `done ${finished}`, evidence: [art.artifact_id] });
          clock.advance(Math.floor(HOUR / perHour));
          finished++;
        }
        await applyRetention(app.deps, { budgetMs: 60_000 });
      }
      await app.deps.store.checkpoint();
      const live = await app.deps.store.read(async (tx) => ({ runs: Object.values(await tx.runs.countByState()).reduce((a, b) => a + b, 0), events: await tx.events.count() }));
      const bytes = fileBytes(db);
      rows.push([day, fmtInt(finished), fmtInt(live.runs), fmtInt(live.events), (bytes / 1024 / 1024).toFixed(1), fmtInt(bytes / Math.max(1, live.runs))]);
    }
    await Promise.all(workers.map((c) => c.close()));
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    `## Steady-state size: ${days} simulated days at ${fmtInt(runsPerDay)} finished runs a day, retention on`,
    '',
    `Load average at start ${load}. Retention: runs 3 days, events 5 days (then archived), signals 1 day; applied every simulated hour.`,
    '',
    table(['day', 'runs finished so far', 'runs live', 'events live', 'database MB', 'bytes per live run'], rows),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  process.stdout.write(`${await benchSteadyState(arg('--days', 14), arg('--runs-per-day', 1_000))}\n`);
}
