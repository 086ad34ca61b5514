import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestApp, tempDir } from '../helpers/app.js';
import { CLI, serveEnv, spawnServer, type StdioClient } from '../helpers/stdio.js';

const WORKERS = 4;
const TASKS = 60;

interface Take {
  run: { run_id: string; lease_epoch: number; attempts: number; title: string } | null;
  lease_epoch?: number;
}

describe('the queue across server processes on one file', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  const clients: StdioClient[] = [];
  beforeEach(() => {
    tmp = tempDir('fleetdeck-queue-');
    db = join(tmp.dir, 'fleet.db');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
    tmp.cleanup();
  });

  async function spawn(): Promise<StdioClient> {
    const c = await spawnServer({ db, cwd: tmp.dir });
    clients.push(c);
    return c;
  }

  it(`delivers each of ${TASKS} tasks exactly once to ${WORKERS} competing worker processes, none lost`, async () => {
    const [coord, ...workers] = await Promise.all(Array.from({ length: WORKERS + 1 }, () => spawn()));
    await coord!.ok('register_agent', { name: 'coordinator', role: 'coordinator' });
    const workerIds = await Promise.all(workers.map(async (w, i) => (await w.ok<{ agent_id: string }>('register_agent', { name: `w${i}`, role: 'implementer' })).agent_id));

    const submitted = new Set<string>();
    for (let i = 0; i < TASKS; i++) {
      const out = await coord!.ok<{ run_id: string }>('submit_task', { title: `task ${i}`, instructions: 'x', to_role: 'implementer', priority: i % 3 });
      submitted.add(out.run_id);
    }

    // every worker loops take → result until the queue is empty; all four race on every take
    const taken = await Promise.all(
      workers.map(async (w) => {
        const mine: string[] = [];
        for (;;) {
          const took = await w.ok<Take>('take_task');
          if (!took.run) return mine;
          mine.push(took.run.run_id);
          await w.ok('submit_result', { run_id: took.run.run_id, outcome: 'completed', summary: 'ok', lease_epoch: took.lease_epoch });
        }
      }),
    );
    const all = taken.flat();
    expect(all).toHaveLength(TASKS);
    expect(new Set(all)).toEqual(submitted);
    expect(taken.filter((t) => t.length > 0).length).toBeGreaterThan(1); // they really competed

    const app = await openTestApp({}, tmp.dir);
    try {
      const { takes, results, states } = await app.app.deps.store.read(async (tx) => {
        const events = await tx.events.list({ types: ['run.taken', 'run.completed'], limit: 10_000 });
        const runs = await tx.runs.list({ limit: 1000 });
        return {
          takes: events.filter((e) => e.type === 'run.taken'),
          results: events.filter((e) => e.type === 'run.completed'),
          states: runs.map((r) => `${r.state}/${r.attempts}/${r.leaseEpoch}`),
        };
      });
      expect(takes).toHaveLength(TASKS);
      expect(new Set(takes.map((e) => e.runId)).size).toBe(TASKS);
      expect(results).toHaveLength(TASKS);
      expect(new Set(states)).toEqual(new Set(['completed/1/1']));
      expect(new Set(takes.map((e) => e.agentId)).size).toBeGreaterThan(1);
      expect(takes.every((e) => workerIds.includes(e.agentId!))).toBe(true);
    } finally {
      app.close();
    }
  });

  it('a long-polling take in one process is woken by a submit from another process', async () => {
    const [worker, coord] = await Promise.all([spawn(), spawn()]);
    await worker!.ok('register_agent', { name: 'waiter', role: 'reviewer' });
    await coord!.ok('register_agent', { name: 'coordinator', role: 'coordinator' });
    const waiting = worker!.ok<Take>('take_task', { wait_seconds: 30 });
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false); // still waiting: the queue is empty
    const sub = await coord!.ok<{ run_id: string }>('submit_task', { title: 'review Y', instructions: 'look at Y', to_role: 'reviewer' });
    const took = await waiting;
    expect(took.run?.run_id).toBe(sub.run_id);
  });

  it('the CLI submits, inspects, completes, fails, dead-letters and requeues through the same services', async () => {
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, [CLI, ...args, '--db', db], { encoding: 'utf8', cwd: tmp.dir, env: { ...process.env, ...serveEnv({ db, cwd: tmp.dir }) } });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const json = (...args: string[]) => {
      const r = cli(...args, '--json');
      if (r.code !== 0 && r.code !== 3) throw new Error(`fleetdeck ${args.join(' ')} exited ${r.code}: ${r.err}`);
      return JSON.parse(r.out) as Record<string, unknown>;
    };
    writeFileSync(join(tmp.dir, 'task.md'), '# Implement the parser\n\nSplit it in two modules.\n');
    writeFileSync(join(tmp.dir, 'report.md'), 'Both modules pass their tests.\n');

    const submit = cli('submit', '--to', 'implementer', '--type', 'implement', '--file', join(tmp.dir, 'task.md'));
    expect(submit.code).toBe(0);
    const runId = submit.out.trim();
    expect(runId).toMatch(/^run_[0-9a-z]+$/);
    expect(json('status', runId)).toMatchObject({ run_id: runId, title: 'Implement the parser', type: 'implement', state: 'queued' });
    expect(cli('result', runId).code).toBe(3);

    // a worker process takes it; the script completes it as operator (the holder is told)
    const worker = await spawn();
    await worker.ok('register_agent', { name: 'w', role: 'implementer' });
    expect((await worker.ok<Take>('take_task')).run?.run_id).toBe(runId);
    const done = json('complete', runId, '--summary', 'parser split', '--result-file', join(tmp.dir, 'report.md'));
    expect(done).toMatchObject({ state: 'completed' });
    const result = json('result', runId) as { result: { summary: string; outcome: string; by: string } };
    expect(result.result.outcome).toBe('completed');
    expect(result.result.summary).toContain('Both modules pass');
    expect(result.result.by).toMatch(/^operator:/);
    const late = await worker.call('submit_result', { run_id: runId, outcome: 'completed', summary: 'me too' });
    expect((late.structuredContent.error as { code: string }).code).toBe('LEASE_LOST');

    // a task that keeps failing ends in the DLQ with its reason; requeue gives it another attempt
    const flaky = json('submit', '--to', 'implementer', '--file', join(tmp.dir, 'task.md'), '--title', 'flaky', '--max-attempts', '1') as { run_id: string };
    expect((await worker.ok<Take>('take_task')).run?.run_id).toBe(flaky.run_id);
    const failed = json('fail', flaky.run_id, '--reason', 'disk full', '--retryable');
    expect(failed).toMatchObject({ state: 'dead', dead_reason: 'max_attempts' });
    const dlq = json('dlq') as { dead_letters: { run_id: string; dead_reason: string; last_error: string }[] };
    expect(dlq.dead_letters).toEqual([expect.objectContaining({ run_id: flaky.run_id, dead_reason: 'max_attempts', last_error: 'disk full' })]);
    expect(json('requeue', flaky.run_id)).toMatchObject({ state: 'queued', max_attempts: 2 });
    const runs = json('runs', '--state', 'queued') as { runs: { run_id: string }[] };
    expect(runs.runs.map((r) => r.run_id)).toEqual([flaky.run_id]);
    const table = cli('runs');
    expect(table.code).toBe(0);
    expect(table.out).toContain(runId);
    expect(cli('status', 'run_doesnotexist').code).toBe(1);
  });
});
