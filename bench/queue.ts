/**
 * Queue throughput: one cycle is submit → take → complete. Measured, each for a bounded time:
 * - a bare better-sqlite3 queue loop (three transactions per cycle, the same pragmas: WAL,
 *   synchronous=FULL) on a file — the baseline every other figure is a ratio to;
 * - the same workload through the service layer in-process (submitTask, takeTask, submitResult:
 *   expiry, events, fencing, signals included);
 * - the same workload through the MCP server over stdio with 1, 2 and 4 worker processes, each
 *   looping submit_task → take_task → submit_result on one shared database file;
 * - BullMQ on Redis at 127.0.0.1:6379 as a peer figure, when Redis answers and bullmq is installed.
 *
 * Standalone: `npm run build && node --import tsx bench/queue.ts`.
 */
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { openApp } from '../src/main.js';
import { registerAgent } from '../src/services/agents.js';
import { submitResult } from '../src/services/runs/result.js';
import { submitTask } from '../src/services/runs/submit.js';
import { takeTask } from '../src/services/runs/take.js';
import { openDatabase } from '../src/store/sqlite/open.js';
import { fmtInt, fmtRatio, spawnClient, table, tempDir, type ServerClient } from './lib.js';

/** Wall time per figure (after a short warm-up). */
const WINDOW_MS = 2_500;
const WARMUP_CYCLES = 30;
const WORKER_COUNTS = [1, 2, 4];
/** the stdio figure compared with BullMQ (issue 22), measured in turns with it */
const PEER_WORKERS = 4;
/** each comparison alternates its loops in this many windows of WINDOW_MS / ROUNDS */
const ROUNDS = 5;

export interface Figure {
  name: string;
  cycles: number;
  ms: number;
  note?: string;
}

const perSecond = (f: Figure) => (f.cycles / f.ms) * 1000;

export const SERVICE_TARGET = 0.8;
export const STDIO_VS_BULLMQ_TARGET = 0.5;

export interface QueueFigures {
  bare: Figure;
  service: Figure;
  stdio: Figure[];
  bull: Figure | undefined;
  bullSkipped?: string;
  dir: string;
}

/**
 * Runs the loops of one comparison in turns (ROUNDS windows each, alternating), so that load
 * elsewhere on the machine falls on the figure and its baseline alike.
 */
async function alternate(loops: Loop[]): Promise<Figure[]> {
  const totals = loops.map(() => ({ cycles: 0, ms: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, loop] of loops.entries()) {
      const started = performance.now();
      totals[i]!.cycles += await loop.run(WINDOW_MS / ROUNDS);
      totals[i]!.ms += performance.now() - started;
    }
  }
  return loops.map((loop, i) => ({ name: loop.name, cycles: totals[i]!.cycles, ms: totals[i]!.ms, note: loop.note() }));
}

export async function measureQueue(): Promise<QueueFigures> {
  const tmp = tempDir('fleetdeck-bench-queue-');
  const open: Loop[] = [];
  const keep = <L extends Loop>(loop: L): L => {
    open.push(loop);
    return loop;
  };
  try {
    const [bare, service] = await alternate([keep(bareLoop(join(tmp.dir, 'bare.db'))), keep(await serviceLoop(tmp.dir))]);
    const stdio: Figure[] = [];
    for (const workers of WORKER_COUNTS.filter((w) => w !== PEER_WORKERS)) {
      stdio.push(...(await alternate([keep(await stdioLoop(join(tmp.dir, `stdio-${workers}.db`), workers))])));
    }
    const peer = keep(await stdioLoop(join(tmp.dir, `stdio-${PEER_WORKERS}.db`), PEER_WORKERS));
    const bull = await bullmqLoop().catch((error: unknown) => ({ loop: undefined, skipped: `BullMQ failed: ${(error as Error).message}` }));
    const [four, bullFigure] = await alternate(bull.loop ? [peer, keep(bull.loop)] : [peer]);
    stdio.push(four!);
    return { bare: bare!, service: service!, stdio, bull: bullFigure, bullSkipped: bull.skipped, dir: tmp.dir.replace(/\/[^/]+$/, '') };
  } finally {
    for (const loop of open) await loop.close().catch(() => {});
    tmp.cleanup();
  }
}

export async function benchQueue(): Promise<string> {
  return formatQueue(await measureQueue());
}

export function formatQueue(q: QueueFigures): string {
  const { bare, service, stdio } = q;
  const rows = [bare, service, ...stdio, ...(q.bull ? [q.bull] : [])].map((f) => [
    f.name,
    fmtInt(f.cycles),
    fmtInt(perSecond(f)),
    fmtRatio(perSecond(f), perSecond(bare)),
    q.bull ? fmtRatio(perSecond(f), perSecond(q.bull)) : '–',
    f.note ?? '',
  ]);
  return [
    '## Queue',
    '',
    `_Measured ${new Date().toISOString()} by bench/queue.ts: one cycle = submit → take → complete; each figure runs ${WINDOW_MS / 1000} s (bare and service, and 4 stdio workers and BullMQ, in ${ROUNDS} alternating windows) after ${WARMUP_CYCLES} warm-up cycles, on a file in ${q.dir}._`,
    '',
    table(['workload', 'cycles', 'cycles/s', 'vs bare SQLite', 'vs BullMQ', 'notes'], rows),
    '',
    q.bull ? '' : `BullMQ: skipped — ${q.bullSkipped}.`,
    '',
    'The bare loop is the floor of what any SQLite queue with durable (fsync per commit) transactions can do here; the service figure adds',
    'what fleetdeck does per transaction (hash-chained audit event, fencing, signal delivery, expiry when a deadline passed); the stdio figures',
    'add two MCP round trips per call and process-to-process write-lock contention on one file (each call is one write transaction).',
  ]
    .filter((l, i, a) => !(l === '' && a[i - 1] === ''))
    .join('\n');
}

export const cyclesPerSecond = perSecond;

/** One workload, run for a window at a time (see `alternate`). */
interface Loop {
  name: string;
  /** runs cycles for about `ms`; returns how many completed */
  run(ms: number): Promise<number>;
  note(): string;
  close(): Promise<void>;
}

/** The floor: submit, take (UPDATE … RETURNING) and complete, one transaction each. */
function bareLoop(file: string): Loop {
  const db = openDatabase(file, { synchronous: 'FULL' });
  db.exec(`CREATE TABLE jobs (id INTEGER PRIMARY KEY, role TEXT NOT NULL, state TEXT NOT NULL, priority INTEGER NOT NULL,
    payload TEXT NOT NULL, owner TEXT, epoch INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, result TEXT) STRICT;
    CREATE INDEX jobs_queue ON jobs (role, priority DESC, created_at) WHERE state = 'queued';`);
  const insert = db.prepare(`INSERT INTO jobs (role, state, priority, payload, created_at) VALUES ('implementer', 'queued', 0, ?, ?)`);
  const take = db.prepare(`UPDATE jobs SET state = 'leased', owner = ?, epoch = epoch + 1 WHERE id = (
    SELECT id FROM jobs WHERE state = 'queued' AND role = 'implementer' ORDER BY priority DESC, created_at LIMIT 1) RETURNING id, epoch`);
  const complete = db.prepare(`UPDATE jobs SET state = 'completed', result = ? WHERE id = ? AND epoch = ? AND state = 'leased'`);
  const submitTx = db.transaction((i: number) => insert.run(JSON.stringify({ title: `task ${i}` }), Date.now()));
  const takeTx = db.transaction(() => take.get('worker') as { id: number; epoch: number });
  const completeTx = db.transaction((id: number, epoch: number) => complete.run('ok', id, epoch));
  const cycle = (i: number) => {
    submitTx(i);
    const job = takeTx();
    completeTx(job.id, job.epoch);
  };
  for (let i = 0; i < WARMUP_CYCLES; i++) cycle(i);
  let n = 0;
  return {
    name: 'bare better-sqlite3 loop',
    async run(ms) {
      let cycles = 0;
      const start = performance.now();
      while (performance.now() - start < ms) {
        cycle(n++);
        cycles++;
      }
      return cycles;
    },
    note: () => '3 transactions per cycle',
    close: async () => {
      db.close();
    },
  };
}

/** The same cycle through the services, in-process, one worker. */
async function serviceLoop(dir: string): Promise<Loop> {
  const config = loadConfig({ db: join(dir, 'service.db'), workspace: dir, logLevel: 'warn' }, {});
  const app = await openApp(config, { logger: pino({ level: 'silent' }) });
  const coord = await registerAgent(app.deps, { name: 'coord', role: 'coordinator' });
  const worker = await registerAgent(app.deps, { name: 'worker', role: 'implementer' });
  const coordActor = { kind: 'agent' as const, agentId: coord.agent.id };
  const workerActor = { kind: 'agent' as const, agentId: worker.agent.id };
  const cycle = async (i: number) => {
    await submitTask(app.deps, coordActor, { title: `task ${i}`, instructions: 'x', to_role: 'implementer' });
    const took = await takeTask(app.deps, app.feed, worker.agent.id, {});
    if (!took.run) throw new Error('the queue lost a run');
    await submitResult(app.deps, workerActor, { run_id: took.run.id, outcome: 'completed', summary: 'ok', lease_epoch: took.run.leaseEpoch });
  };
  for (let i = 0; i < WARMUP_CYCLES; i++) await cycle(i);
  let n = 0;
  return {
    name: 'service layer, in-process',
    async run(ms) {
      let cycles = 0;
      const start = performance.now();
      while (performance.now() - start < ms) {
        await cycle(n++);
        cycles++;
      }
      return cycles;
    },
    note: () => '1 worker',
    close: async () => app.close(),
  };
}

/** W server processes on one file; each loops submit_task → take_task → submit_result. */
async function stdioLoop(db: string, workers: number): Promise<Loop> {
  const clients: ServerClient[] = [];
  const closeAll = () => Promise.all(clients.map((c) => c.close().catch(() => {}))).then(() => undefined);
  try {
    for (let i = 0; i < workers; i++) clients.push(await spawnClient({ db }));
    await Promise.all(clients.map((c, i) => c.call('register_agent', { name: `w${i}`, role: 'implementer' })));
  } catch (error) {
    await closeAll();
    throw error;
  }
  const cycle = async (c: ServerClient, i: number): Promise<boolean> => {
    await c.call('submit_task', { title: `task ${i}`, instructions: 'x', to_role: 'implementer' });
    const took = (await c.call('take_task')) as { run: { run_id: string } | null; lease_epoch?: number };
    // another worker may have taken this one's task first: then there is still one for it later
    if (!took.run) return false;
    await c.call('submit_result', { run_id: took.run.run_id, outcome: 'completed', summary: 'ok', lease_epoch: took.lease_epoch });
    return true;
  };
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < WARMUP_CYCLES / workers; i++) await cycle(c, i);
    }),
  );
  let submitted = 0;
  return {
    name: `MCP over stdio, ${workers} worker process${workers > 1 ? 'es' : ''}`,
    async run(ms) {
      let completed = 0;
      const start = performance.now();
      await Promise.all(
        clients.map(async (c) => {
          while (performance.now() - start < ms) {
            submitted++;
            if (await cycle(c, submitted)) completed++;
          }
        }),
      );
      return completed;
    },
    note: () => `${submitted} submitted`,
    close: closeAll,
  };
}

async function redisReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: 6379 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

interface BullModule {
  Queue: new (name: string, opts: unknown) => { add(name: string, data: unknown): Promise<unknown>; obliterate(o: unknown): Promise<void>; close(): Promise<void> };
  Worker: new (name: string, processor: null, opts: unknown) => {
    getNextJob(token: string): Promise<{ moveToCompleted(r: unknown, token: string, fetchNext: boolean): Promise<unknown> } | undefined>;
    close(): Promise<void>;
  };
}

/** The peer figure: BullMQ's manual job processing (add → getNextJob → moveToCompleted). */
async function bullmqLoop(): Promise<{ loop?: Loop; skipped?: string }> {
  if (!(await redisReachable())) return { skipped: 'no Redis answers at 127.0.0.1:6379' };
  let bull: BullModule;
  try {
    bull = (await import('bullmq' as string)) as BullModule;
  } catch {
    return { skipped: 'Redis answers but the bullmq package is not installed (npm install --ignore-scripts -D bullmq)' };
  }
  const connection = { host: '127.0.0.1', port: 6379 };
  const name = `fleetdeck-bench-${process.pid}`;
  const queue = new bull.Queue(name, { connection });
  const worker = new bull.Worker(name, null, { connection });
  const cycle = async (i: number) => {
    await queue.add('task', { title: `task ${i}` });
    const job = await worker.getNextJob('bench-token');
    if (!job) throw new Error('bullmq returned no job');
    await job.moveToCompleted('ok', 'bench-token', false);
  };
  for (let i = 0; i < WARMUP_CYCLES; i++) await cycle(i);
  let n = 0;
  return {
    loop: {
      name: 'BullMQ on Redis (peer)',
      async run(ms) {
        let cycles = 0;
        const start = performance.now();
        while (performance.now() - start < ms) {
          await cycle(n++);
          cycles++;
        }
        return cycles;
      },
      note: () => '1 worker, manual processing',
      async close() {
        await worker.close();
        await queue.obliterate({ force: true }).catch(() => {});
        await queue.close();
      },
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchQueue().then(
    (markdown) => process.stdout.write(`${markdown}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
