import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queueOf } from '../../src/agentq/topology.js';
import { loadConfig } from '../../src/config.js';
import { openApp, type App } from '../../src/main.js';
import { connectClient, silentLogger, tempDir, type TestClient } from '../helpers/app.js';
import { freshPostgresFleetUrl, TEST_ENGINE } from '../helpers/postgres.js';
import { AMQP_URL, amqpUnavailable, TestBroker, uniqueSuffix, waitUntil } from '../helpers/amqp.js';
import { CLI } from '../helpers/stdio.js';

const unavailable = await amqpUnavailable();
if (unavailable) console.warn(`skipping agentq bridge process tests: ${unavailable}`);

const TASKS = 40;

interface BridgeProcess {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `fleetdeck agentq bridge` from dist/, resolved once it consumes. */
async function startBridge(db: string, dir: string, target: string): Promise<BridgeProcess> {
  const child = spawn(process.execPath, [CLI, 'agentq', 'bridge', '--to', target, '--amqp', AMQP_URL, '--outbox-hold-seconds', '2', '--sweep-seconds', '1'], {
    env: { ...process.env, FLEETDECK_DB: db, FLEETDECK_DATA_DIR: dir, FLEETDECK_WORKSPACE: dir, FLEETDECK_LOG_LEVEL: 'info', XDG_DATA_HOME: join(dir, 'xdg') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await waitUntil(() => err.includes('bridge consuming') || child.exitCode !== null, 30_000, 'the bridge to consume');
  if (child.exitCode !== null) throw new Error(`the bridge exited: ${err}`);
  return { child, stderr: () => err, exited };
}

// On the engine FLEETDECK_TEST_STORE selects: a SQLite file, or a fresh PostgreSQL schema.
describe.skipIf(unavailable !== null)(`agentq bridge process: SIGKILL and restart, SIGTERM drain (${TEST_ENGINE})`, () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let app: App;
  let broker: TestBroker;
  let target: string;
  let replyTo: string;
  const bridges: BridgeProcess[] = [];
  let worker: TestClient | null = null;

  beforeAll(async () => {
    broker = await TestBroker.open();
  });
  afterAll(async () => {
    await broker.close();
  });
  beforeEach(async () => {
    tmp = tempDir('fleetdeck-agentq-');
    const suffix = uniqueSuffix();
    target = `implementation-worker-${suffix}`;
    replyTo = `agentq.test.reply.${suffix}`;
    broker.forget(queueOf(target));
    db = TEST_ENGINE === 'postgres' ? await freshPostgresFleetUrl() : join(tmp.dir, 'fleet.db');
    app = await openApp(loadConfig({ db, dataDir: tmp.dir, workspace: tmp.dir, pollMs: '20' }, {}), { logger: silentLogger });
  });
  afterEach(async () => {
    for (const b of bridges.splice(0)) if (b.child.exitCode === null) b.child.kill('SIGKILL');
    await worker?.close();
    worker = null;
    await app.close();
    tmp.cleanup();
  });

  const envelope = (i: number) => ({ task_id: `T-${i}`, from: 'coordinator', to: target, type: 'implement', priority: i % 3 === 0 ? 'high' : 'normal', reply_to: replyTo, instructions: `task ${i}` });
  const runs = () => app.deps.store.read((tx) => tx.runs.list({ limit: 500 }));

  it('killed with SIGKILL mid-stream and restarted: no run lost or duplicated, every completion published once', async () => {
    const replies = await broker.replyQueue(replyTo);
    bridges.push(await startBridge(db, tmp.dir, target));

    // a worker of that role completes whatever it finds, throughout
    worker = await connectClient(app);
    await worker.ok('register_agent', { name: 'impl', role: target });
    let stopWorker = false;
    const completed: string[] = [];
    const working = (async () => {
      while (!stopWorker) {
        const t = await worker!.ok<{ run: { run_id: string } | null; lease_epoch?: number }>('take_task', { wait_seconds: 0.2 });
        if (!t.run) continue;
        await worker!.ok('submit_result', { run_id: t.run.run_id, outcome: 'completed', summary: `done ${t.run.run_id}`, lease_epoch: t.lease_epoch });
        completed.push(t.run.run_id);
      }
    })();

    // half the tasks; once completions flow, ten more, and the kill while those are being stored
    for (let i = 0; i < 20; i++) broker.publish(target, envelope(i));
    await waitUntil(async () => (await runs()).length >= 20 && completed.length >= 3, 30_000, 'completions to flow');
    for (let i = 20; i < 30; i++) broker.publish(target, envelope(i));
    await waitUntil(async () => (await runs()).length >= 22, 30_000, 'the second batch to be under way');
    bridges[0]!.child.kill('SIGKILL');
    await bridges[0]!.exited;
    const atKill = (await runs()).length;
    // the rest arrive while no bridge runs
    for (let i = 30; i < TASKS; i++) broker.publish(target, envelope(i));

    bridges.push(await startBridge(db, tmp.dir, target));
    await waitUntil(async () => (await runs()).length === TASKS && completed.length === TASKS, 60_000, 'every task stored and completed');
    await waitUntil(() => replies.messages.length >= TASKS, 60_000, 'every completion');
    // everything is marked published; give a straggler (a republish) the chance to show up
    await waitUntil(async () => (await app.deps.store.read((tx) => tx.externalTasks.figures())).backlog === 0, 30_000, 'an empty outbox');
    stopWorker = true;
    await working;
    bridges[1]!.child.kill('SIGTERM');
    expect(await bridges[1]!.exited).toBe(0);

    const all = await runs();
    expect(atKill).toBeLessThan(TASKS);
    expect(all).toHaveLength(TASKS);
    expect(new Set(all.map((r) => r.idempotencyKey)).size).toBe(TASKS);
    // every task has its completion, each outbox row one message id; the only repeat the design
    // allows is the one row whose broker confirm arrived just before the kill, before its
    // published mark committed: republished under the same message id, so a consumer can drop it
    const ids = replies.messages.map((m) => String(m.properties.messageId));
    const byTask = new Map<string, Set<string>>();
    for (const m of replies.messages) {
      const task = String(JSON.parse(m.content.toString()).task_id);
      byTask.set(task, (byTask.get(task) ?? new Set()).add(String(m.properties.messageId)));
    }
    expect(byTask.size).toBe(TASKS);
    expect([...byTask.values()].every((set) => set.size === 1)).toBe(true);
    expect(new Set(ids).size).toBe(TASKS);
    expect(ids.length - TASKS).toBeLessThanOrEqual(1);
    expect(replies.bodies().every((b) => b.status === 'completed')).toBe(true);
    const figures = await app.deps.store.read((tx) => tx.externalTasks.figures());
    expect(figures).toMatchObject({ received: TASKS, completionsPublished: TASKS, backlog: 0 });
    expect((await broker.channel.checkQueue(queueOf(target))).messageCount).toBe(0);
  });

  it('SIGTERM drains: envelopes in hand are stored and acked, the rest stay queued, exit code 0', async () => {
    bridges.push(await startBridge(db, tmp.dir, target));
    for (let i = 0; i < TASKS; i++) broker.publish(target, envelope(i));
    await waitUntil(async () => (await runs()).length >= 5, 30_000, 'some runs');
    bridges[0]!.child.kill('SIGTERM');
    expect(await bridges[0]!.exited).toBe(0);
    expect(bridges[0]!.stderr()).toContain('bridge stopped');
    const stored = (await runs()).length;
    const queued = (await broker.channel.checkQueue(queueOf(target))).messageCount;
    // nothing lost: each envelope is a run or still waits in its queue (none both: a stored one was acked)
    expect(stored + queued).toBe(TASKS);
  });
});
