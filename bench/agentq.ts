/**
 * The agentq bridge's cost, against baselines measured in the same run on the same database kind:
 *  - intake: N envelopes published to RabbitMQ at once, until the bridge has stored every run
 *    (acked after commit), against N submitTask calls through the service (the same write, with
 *    nothing in front of it), run sequentially and 16 at a time (the bridge's prefetch);
 *  - completion: a bridged run's end (cancelled through the service) until its completion arrives
 *    on reply_to, against the same cancel of a run that is not bridged (no outbox row).
 * Part of `npm run bench` (bench/run.ts); skipped with the reason when RabbitMQ is unreachable.
 * Standalone: `node --import tsx bench/agentq.ts`. AGENTQ_BENCH_N sets N (default 400).
 */
import amqp from 'amqplib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { AgentqBridge } from '../src/agentq/bridge.js';
import type { Disposition } from '../src/agentq/intake.js';
import { bridgeIdentity } from '../src/agentq/identity.js';
import { loadAgentqSettings } from '../src/agentq/settings.js';
import { queueOf, TASK_EXCHANGE } from '../src/agentq/topology.js';
import { loadConfig } from '../src/config.js';
import { openApp } from '../src/main.js';
import { cancelRunAsOperator } from '../src/services/runs/cancel.js';
import { submitTask } from '../src/services/runs/submit.js';
import { fmtMs, stats, table, tempDir } from './lib.js';

const URL = process.env.FLEETDECK_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const N = Number(process.env.AGENTQ_BENCH_N ?? 400);
const ENDS = 100;
const logger = pino({ level: 'silent' });
const operator = { kind: 'operator', name: 'bench' } as const;

export async function benchAgentq(): Promise<string> {
  let conn: Awaited<ReturnType<typeof amqp.connect>>;
  try {
    conn = await amqp.connect(URL, { timeout: 3000 });
  } catch (error) {
    return `## agentq bridge\n\nSkipped: RabbitMQ unreachable at ${URL.replace(/\/\/[^@]*@/, '//')} (${(error as Error).message}); start it with rabbitmq-server -detached.`;
  }
  const tmp = tempDir('fleetdeck-bench-agentq-');
  const app = await openApp(loadConfig({ db: join(tmp.dir, 'fleet.db'), workspace: tmp.dir, pollMs: '20' }, {}), { logger });
  const suffix = Date.now().toString(36);
  const target = `bench-worker-${suffix}`;
  const replyTo = `bench.replies.${suffix}`;
  const ch = await conn.createChannel();
  try {
    // baselines: the same runs submitted through the service
    let t0 = performance.now();
    for (let i = 0; i < N; i++) await submitTask(app.deps, operator, { title: `b${i}`, instructions: 'x', to_role: 'baseline', idempotency_key: `seq-${i}` });
    const seqMs = performance.now() - t0;
    t0 = performance.now();
    for (let i = 0; i < N; i += 16) {
      await Promise.all(Array.from({ length: Math.min(16, N - i) }, (_, k) => submitTask(app.deps, operator, { title: `c${i + k}`, instructions: 'x', to_role: 'baseline', idempotency_key: `par-${i + k}` })));
    }
    const parMs = performance.now() - t0;

    // the bridge
    const agent = await bridgeIdentity(app.deps);
    const deliveries: Disposition[] = [];
    const bridge = new AgentqBridge({ deps: app.deps, feed: app.feed, settings: loadAgentqSettings({ amqp: URL, to: target }, tmp.dir, {}), agentId: agent.id, logger, relayPollMs: 100, onDelivery: (d) => deliveries.push(d) });
    void bridge.start();
    await bridge.connected;
    await ch.assertQueue(replyTo, { durable: false });
    const arrivals = new Map<string, number>();
    await ch.consume(replyTo, (m) => m && arrivals.set(String(JSON.parse(m.content.toString()).task_id), performance.now()), { noAck: true });

    t0 = performance.now();
    for (let i = 0; i < N; i++) {
      ch.publish(TASK_EXCHANGE, target, Buffer.from(JSON.stringify({ task_id: `T-${i}`, from: 'bench', to: target, type: 'implement', reply_to: replyTo, instructions: `task ${i}` })), { persistent: true });
    }
    while (deliveries.length < N) await new Promise((r) => setTimeout(r, 5));
    const bridgeMs = performance.now() - t0;

    // completions: end bridged runs one at a time, time until each completion arrives
    const bridged = await app.deps.store.read((tx) => tx.runs.list({ role: target, states: ['queued'], limit: ENDS }));
    const latencies: number[] = [];
    for (const run of bridged) {
      const start = performance.now();
      await cancelRunAsOperator(app.deps, operator, { run_id: run.id, reason: 'bench' });
      const task = run.idempotencyKey!;
      while (!arrivals.has(task)) await new Promise((r) => setTimeout(r, 1));
      latencies.push(arrivals.get(task)! - start);
    }
    const plain = await app.deps.store.read((tx) => tx.runs.list({ role: 'baseline', states: ['queued'], limit: ENDS }));
    const cancelMs: number[] = [];
    for (const run of plain) {
      const start = performance.now();
      await cancelRunAsOperator(app.deps, operator, { run_id: run.id, reason: 'bench' });
      cancelMs.push(performance.now() - start);
    }
    await bridge.stop();

    const lat = stats(latencies);
    const base = stats(cancelMs);
    return [
      '## agentq bridge',
      '',
      `N=${N} envelopes, ${ENDS} completions (SQLite synchronous=FULL, RabbitMQ on localhost).`,
      '',
      table(
        ['measure', 'total ms', 'per task ms', 'tasks/s'],
        [
          ['baseline: submitTask sequential', fmtMs(seqMs), fmtMs(seqMs / N), Math.round((N / seqMs) * 1000)],
          ['baseline: submitTask 16 at a time', fmtMs(parMs), fmtMs(parMs / N), Math.round((N / parMs) * 1000)],
          ['bridge: publish → run stored → acked', fmtMs(bridgeMs), fmtMs(bridgeMs / N), Math.round((N / bridgeMs) * 1000)],
        ],
      ),
      '',
      table(
        ['measure', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
        [
          ['baseline: cancel a plain run (commit)', fmtMs(base.p50), fmtMs(base.p90), fmtMs(base.p99), fmtMs(base.max)],
          ['bridged run cancelled → completion on reply_to', fmtMs(lat.p50), fmtMs(lat.p90), fmtMs(lat.p99), fmtMs(lat.max)],
        ],
      ),
    ].join('\n');
  } finally {
    await ch.deleteQueue(queueOf(target)).catch(() => {});
    await ch.deleteQueue(replyTo).catch(() => {});
    await conn.close();
    await app.close();
    tmp.cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${await benchAgentq()}\n`);
