import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bridgeIdentity } from '../../src/agentq/identity.js';
import { queueOf } from '../../src/agentq/topology.js';
import { loadConfig } from '../../src/config.js';
import { openApp, type App } from '../../src/main.js';
import { recordRejectedTask } from '../../src/services/external-tasks/intake.js';
import { silentLogger, tempDir } from '../helpers/app.js';
import { AMQP_URL, amqpUnavailable, TestBroker, uniqueSuffix, waitUntil } from '../helpers/amqp.js';
import { CLI } from '../helpers/stdio.js';

const run = promisify(execFile);
const unavailable = await amqpUnavailable();
if (unavailable) console.warn(`skipping the RabbitMQ parts of the agentq CLI tests: ${unavailable}`);

describe('fleetdeck agentq commands', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let target: string;

  const cli = async (...args: string[]) => {
    try {
      const out = await run(process.execPath, [CLI, 'agentq', ...args], { env: { ...process.env, FLEETDECK_DB: db, FLEETDECK_WORKSPACE: tmp.dir, FLEETDECK_LOG_LEVEL: 'warn' } });
      return { code: 0, stdout: out.stdout, stderr: out.stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const json = async (...args: string[]) => {
    const r = await cli(...args, '--json');
    if (r.code !== 0 && r.code !== 2 && r.code !== 3) throw new Error(`agentq ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- CLI JSON, asserted field by field
    return { code: r.code, body: JSON.parse(r.stdout) as Record<string, any> };
  };

  beforeEach(() => {
    tmp = tempDir('fleetdeck-agentq-cli-');
    db = join(tmp.dir, 'fleet.db');
    target = `implementation-worker-${uniqueSuffix()}`;
  });
  afterEach(() => tmp.cleanup());

  it('submit (straight to the fleet) → status → complete with a result file → result, by task id and by run id', async () => {
    writeFileSync(join(tmp.dir, 'context.md'), '# Context\nThe failing test is test/api.test.ts.\n');
    writeFileSync(join(tmp.dir, 'result.md'), 'All green.\n');
    const submitted = await json('submit', '--to', target, '--type', 'implement', '--file', join(tmp.dir, 'context.md'), '--priority', 'high', '--reply-to', 'coordinator.replies', '--task-id', 'T-cli-1', '--from', 'coordinator');
    expect(submitted.body).toMatchObject({ task_id: 'T-cli-1', state: 'queued', deduplicated: false, context_artifact_id: expect.stringMatching(/^art_/) });
    const again = await json('submit', '--to', target, '--type', 'implement', '--file', join(tmp.dir, 'context.md'), '--priority', 'high', '--reply-to', 'coordinator.replies', '--task-id', 'T-cli-1', '--from', 'coordinator');
    expect(again.body).toMatchObject({ run_id: submitted.body.run_id, deduplicated: true });

    const status = await json('status', 'T-cli-1');
    expect(status.body).toMatchObject({
      task_id: 'T-cli-1',
      origin: 'agentq',
      from: 'coordinator',
      to: target,
      reply_to: 'coordinator.replies',
      context_ref: pathToFileURL(join(tmp.dir, 'context.md')).href,
      run_id: submitted.body.run_id,
      state: 'queued',
      priority: 10,
      completions: [],
    });
    expect(status.body.evidence.map((e: { kind: string }) => e.kind)).toEqual(['context']);
    // the fleet's own view of the run names the task and where it came from
    const plain = await run(process.execPath, [CLI, 'status', submitted.body.run_id, '--json'], { env: { ...process.env, FLEETDECK_DB: db, FLEETDECK_WORKSPACE: tmp.dir } });
    expect(JSON.parse(plain.stdout).external).toEqual({ origin: 'agentq', task_id: 'T-cli-1', from: 'coordinator', reply_to: 'coordinator.replies' });
    const pending = await json('result', 'T-cli-1');
    expect(pending.code).toBe(3);

    const done = await json('complete', 'T-cli-1', '--from', 'implementation-worker', '--summary', 'fixed', '--result-file', join(tmp.dir, 'result.md'));
    expect(done.body).toMatchObject({ run_id: submitted.body.run_id, state: 'completed' });
    const result = await json('result', submitted.body.run_id);
    expect(result.code).toBe(0);
    expect(result.body).toMatchObject({
      task_id: 'T-cli-1',
      status: 'completed',
      result_ref: pathToFileURL(join(tmp.dir, 'result.md')).href,
      summary: expect.stringContaining('fixed'),
      completion: { status: 'completed', reply_to: 'coordinator.replies', published_at: null },
    });
    expect(result.body.summary).toContain('(reported by implementation-worker)');
  });

  it('fail with --retryable sends the task back to the queue; without, it fails and its completion waits in the outbox', async () => {
    const a = await json('submit', '--to', target, '--type', 'review', '--instructions', 'review the patch', '--reply-to', 'coordinator.replies', '--task-id', 'T-cli-2');
    const retried = await json('fail', 'T-cli-2', '--from', 'review-worker', '--reason', 'flaky runner', '--retryable');
    expect(retried.body).toMatchObject({ run_id: a.body.run_id, state: 'queued', retry_at: expect.any(String) });
    const failed = await json('fail', a.body.run_id, '--from', 'review-worker', '--reason', 'the patch is wrong');
    expect(failed.body.state).toBe('failed');
    const result = await json('result', 'T-cli-2');
    expect(result.code).toBe(2);
    expect(result.body).toMatchObject({ status: 'failed', completion: { status: 'failed', published_at: null } });
    // a task id nobody sent
    const missing = await cli('status', 'T-nobody');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NOT_FOUND');
  });

  it('dlq lists refused envelopes with their reasons', async () => {
    const app: App = await openApp(loadConfig({ db, workspace: tmp.dir }, {}), { logger: silentLogger });
    const agent = await bridgeIdentity(app.deps);
    await recordRejectedTask(app.deps, agent.id, { origin: 'agentq', taskId: 'T-bad', source: queueOf(target), reason: 'invalid envelope: priority: invalid option', bytes: 42 });
    await app.close();
    const dlq = await json('dlq');
    expect(dlq.body).toMatchObject({ rejected: [{ task_id: 'T-bad', queue: queueOf(target), reason: 'invalid envelope: priority: invalid option' }], dead: [] });
  });

  describe.skipIf(unavailable !== null)('with RabbitMQ', () => {
    let broker: TestBroker;
    beforeAll(async () => {
      broker = await TestBroker.open();
    });
    afterAll(async () => {
      await broker.close();
    });

    it('init declares the topology idempotently; submit --amqp publishes an envelope to the target queue', async () => {
      broker.forget(queueOf(target));
      const first = await json('init', '--to', `${target},${target}-b`, '--amqp', AMQP_URL);
      broker.forget(queueOf(`${target}-b`));
      expect(first.body).toMatchObject({ exchange: 'agentq.tasks', dead_letter_exchange: 'agentq.dlx', dead_letter_queue: 'agentq.dlq', queues: [queueOf(target), queueOf(`${target}-b`)] });
      expect((await json('init', '--to', target, '--amqp', AMQP_URL)).code).toBe(0);

      const published = await json('submit', '--amqp', AMQP_URL, '--to', target, '--type', 'implement', '--instructions', 'do it', '--priority', 'low', '--ttl', '600', '--task-id', 'T-amqp');
      expect(published.body).toMatchObject({ task_id: 'T-amqp', published: true, queue: queueOf(target) });
      let got: { content: Buffer; properties: { priority?: number; messageId?: string } } | false = false;
      await waitUntil(async () => (got = await broker.channel.get(queueOf(target), { noAck: true })) !== false, 10_000, 'the envelope');
      const message = got as unknown as { content: Buffer; properties: { priority?: number; messageId?: string } };
      expect(JSON.parse(message.content.toString())).toMatchObject({ task_id: 'T-amqp', to: target, type: 'implement', priority: 'low', ttl_seconds: 600, instructions: 'do it' });
      expect(message.properties).toMatchObject({ priority: 1, messageId: 'T-amqp' });
    });

    it('init refuses, with a hint, a queue that exists with other arguments', async () => {
      broker.forget(queueOf(target));
      await broker.channel.assertQueue(queueOf(target), { durable: true });
      const r = await cli('init', '--to', target, '--amqp', AMQP_URL);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/INVALID_STATE: RabbitMQ refused the declaration.*PRECONDITION_FAILED.*hint: a queue of that name exists with other arguments/s);
    });
  });
});
