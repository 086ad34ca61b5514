import { isEventOf } from '../../src/domain/event.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AgentqBridge } from '../../src/agentq/bridge.js';
import { bridgeIdentity } from '../../src/agentq/identity.js';
import { loadAgentqSettings } from '../../src/agentq/settings.js';
import { DEAD_LETTER_QUEUE, queueOf } from '../../src/agentq/topology.js';
import type { Disposition } from '../../src/agentq/intake.js';
import { FleetMetrics, PrometheusWriter, writeFleetFigures } from '../../src/services/metrics.js';
import { connectClient, openTestApp, silentLogger, type TestApp, type TestClient } from '../helpers/app.js';
import { AMQP_URL, amqpUnavailable, closeConnectionNamed, TestBroker, uniqueSuffix, waitUntil } from '../helpers/amqp.js';

const unavailable = await amqpUnavailable();
if (unavailable) console.warn(`skipping agentq bridge tests: ${unavailable}`);

describe.skipIf(unavailable !== null)('agentq bridge against RabbitMQ (in-process, ManualClock)', () => {
  let t: TestApp;
  let broker: TestBroker;
  let bridge: AgentqBridge;
  let target: string;
  let replyTo: string;
  let deliveries: Disposition[];
  let worker: TestClient | null;

  beforeAll(async () => {
    broker = await TestBroker.open();
  });
  afterAll(async () => {
    await broker.close();
  });

  beforeEach(async () => {
    t = await openTestApp();
    const suffix = uniqueSuffix();
    target = `implementation-worker-${suffix}`;
    replyTo = `agentq.test.reply.${suffix}`;
    broker.forget(queueOf(target));
    deliveries = [];
    worker = null;
    const settings = { ...loadAgentqSettings({ amqp: AMQP_URL, to: target, 'context-roots': join(t.dir, 'ctx') }, t.dir, {}), outboxHoldMs: 2000 };
    const agent = await bridgeIdentity(t.app.deps);
    bridge = new AgentqBridge({ deps: t.app.deps, feed: t.app.feed, settings, agentId: agent.id, logger: silentLogger, relayPollMs: 50, onDelivery: (d) => deliveries.push(d) });
    void bridge.start();
    await bridge.connected;
  });

  afterEach(async () => {
    await bridge.stop();
    await worker?.close();
    await t.close();
  });

  const envelope = (taskId: string, extra: Record<string, unknown> = {}) => ({
    task_id: taskId,
    from: 'coordinator',
    to: target,
    type: 'implement',
    priority: 'high',
    reply_to: replyTo,
    instructions: `# Fix the parser\nMake ${taskId} pass.`,
    expected_output: { artifacts: ['patch'] },
    ...extra,
  });

  const runsOf = () => t.app.deps.store.read((tx) => tx.runs.list({ limit: 100 }));
  const outboxOf = (runId: string) => t.app.deps.store.read((tx) => tx.externalTasks.completionsOf(runId));

  it('envelope → run → an MCP worker of that role takes and completes it → exactly one completion on reply_to', async () => {
    const replies = await broker.replyQueue(replyTo);
    mkdirSync(join(t.dir, 'ctx'));
    writeFileSync(join(t.dir, 'ctx', 'task.md'), 'The parser drops trailing commas.\n');
    broker.publish(target, envelope('T-1', { context_ref: pathToFileURL(join(t.dir, 'ctx', 'task.md')).href }));
    await waitUntil(() => deliveries.length === 1, 20_000, 'the envelope to be stored');
    expect(deliveries[0]).toMatchObject({ kind: 'ack', taskId: 'T-1', deduplicated: false });

    // the run: for role `to`, task id as idempotency key, priority high, expected evidence, context attached
    worker = await connectClient(t.app);
    await worker.ok('register_agent', { name: 'impl-1', role: target });
    const taken = await worker.ok<{ run: Record<string, unknown>; lease_epoch: number }>('take_task', {});
    expect(taken.run).toMatchObject({ title: 'Fix the parser', type: 'implement', to_role: target, priority: 10, idempotency_key: 'T-1', expected_evidence: ['patch'] });
    expect(String(taken.run.context)).toContain('The parser drops trailing commas.');
    const runId = taken.run.run_id as string;
    const view = await worker.ok<{ run: Record<string, unknown>; evidence: { kind: string }[]; external: Record<string, unknown> | null }>('get_run', { run_id: runId });
    expect(view.evidence.map((e) => e.kind)).toEqual(['context']);
    expect(view.external).toMatchObject({ origin: 'agentq', task_id: 'T-1', from: 'coordinator', to: target, reply_to: replyTo });
    const resource = await worker.client.readResource({ uri: `fleet://runs/${runId}` });
    expect(JSON.parse((resource.contents[0] as { text: string }).text).external).toMatchObject({ origin: 'agentq', task_id: 'T-1' });

    const patch = await worker.ok<{ artifact_id: string }>('attach_evidence', { run_id: runId, kind: 'patch', content: 'diff --git a/x b/x' });
    await worker.ok('submit_result', { run_id: runId, outcome: 'completed', summary: 'parser fixed', evidence: [patch.artifact_id], lease_epoch: taken.lease_epoch });

    await waitUntil(async () => (await outboxOf(runId)).every((c) => c.publishedAt !== null) && replies.messages.length >= 1, 20_000, 'the completion');
    expect(replies.bodies()).toEqual([
      expect.objectContaining({ task_id: 'T-1', from: target, to: 'coordinator', status: 'completed', summary: 'parser fixed', result_ref: `fleet://artifacts/${patch.artifact_id}`, run_id: runId }),
    ]);
    expect(replies.messages[0]!.properties).toMatchObject({ correlationId: 'T-1', deliveryMode: 2, contentType: 'application/json' });
    // a later relay pass publishes nothing more
    t.clock.advance(60_000);
    await bridge.stop();
    await waitUntil(() => replies.messages.length >= 1);
    expect(replies.messages).toHaveLength(1);
    expect(await outboxOf(runId)).toHaveLength(1);
    const out = new PrometheusWriter();
    writeFleetFigures(out, await new FleetMetrics(t.app.deps).figures());
    expect(out.text()).toContain('fleetdeck_agentq_completions_published_total 1\n');
    expect(out.text()).toContain('fleetdeck_agentq_outbox_backlog 0\n');
    // the run was answered on reply_to: no run_finished signal piles up for the bridge's identity
    const bridgeAgent = await bridgeIdentity(t.app.deps);
    expect(await t.app.deps.store.read((tx) => tx.signals.unacknowledged(bridgeAgent.id, 10))).toEqual([]);
  });

  it('a duplicate envelope makes one run, and both deliveries are acked', async () => {
    broker.publish(target, envelope('T-dup'));
    broker.publish(target, envelope('T-dup'));
    await waitUntil(() => deliveries.length === 2, 20_000, 'both deliveries');
    expect(deliveries.map((d) => d.kind)).toEqual(['ack', 'ack']);
    expect(deliveries.filter((d) => d.kind === 'ack' && d.deduplicated)).toHaveLength(1);
    const runs = await runsOf();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ idempotencyKey: 'T-dup', toRole: target });
    const q = await broker.channel.checkQueue(queueOf(target));
    expect(q.messageCount).toBe(0);
  });

  it('malformed envelopes land in agentq.dlq with their reason, and the bridge keeps going', async () => {
    broker.publish(target, Buffer.from('{not json'));
    broker.publish(target, { task_id: 'T-bad', from: 'coordinator', to: target, type: 'Implement!', priority: 'urgent', instructions: 'x' });
    broker.publish(target, envelope('T-outside', { context_ref: 'file:///etc/passwd' }));
    broker.publish(target, envelope('T-good'));
    await waitUntil(() => deliveries.length === 4, 20_000, 'four deliveries');
    expect(deliveries.map((d) => d.kind).sort()).toEqual(['ack', 'reject', 'reject', 'reject']); // handled concurrently: any order
    expect((await runsOf()).map((r) => r.idempotencyKey)).toEqual(['T-good']);

    // the dead letters, with their reasons, from this test's queue
    // read agentq.dlq on a channel of our own: ack this test's messages, leave the others (requeued on close)
    const mine: { reason: string; body: string }[] = [];
    const dlq = await broker.connection.createChannel();
    await dlq.prefetch(1000);
    await dlq.consume(DEAD_LETTER_QUEUE, (m) => {
      if (!m || m.properties.headers?.['x-agentq-source-queue'] !== queueOf(target)) return;
      mine.push({ reason: String(m.properties.headers['x-agentq-reject-reason']), body: m.content.toString() });
      dlq.ack(m);
    });
    await waitUntil(() => mine.length === 3, 20_000, 'three dead letters');
    await dlq.close();
    const reasonOf = (needle: string) => mine.find((m) => m.body.includes(needle));
    expect(reasonOf('{not json')?.reason).toContain('not JSON');
    expect(reasonOf('T-bad')?.reason).toMatch(/type: .*lower-case.*priority/s);
    expect(reasonOf('T-outside')?.reason).toContain('FORBIDDEN');
    // and the audit log has each rejection
    const rejected = await t.app.deps.store.read((tx) => tx.events.list({ types: ['external_task.rejected'], limit: 10 }));
    expect(rejected.filter((e) => isEventOf(e, 'external_task.rejected')).map((e) => e.payload.task_id).sort()).toEqual(['T-bad', 'T-outside', null]);
    // and /metrics counts them
    const out = new PrometheusWriter();
    writeFleetFigures(out, await new FleetMetrics(t.app.deps).figures());
    expect(out.text()).toContain('fleetdeck_agentq_envelopes_total{result="accepted"} 1\n');
    expect(out.text()).toContain('fleetdeck_agentq_envelopes_total{result="rejected"} 3\n');
  });

  it('a TTL expiry gives a `dead` completion (ManualClock, then the sweep)', async () => {
    const replies = await broker.replyQueue(replyTo);
    broker.publish(target, envelope('T-ttl', { ttl_seconds: 30 }));
    await waitUntil(() => deliveries.length === 1, 20_000, 'the envelope');
    const [run] = await runsOf();
    expect(run!.ttlSeconds).toBe(30);
    t.clock.advance(31_000);
    const { sweepOnce } = await import('../../src/services/sweep.js');
    await sweepOnce(t.app.deps);
    await waitUntil(() => replies.messages.length >= 1, 20_000, 'the dead completion');
    expect(replies.bodies()).toEqual([expect.objectContaining({ task_id: 'T-ttl', status: 'dead', dead_reason: 'expired', run_id: run!.id })]);
  });

  it('a completion for a reply queue that does not exist waits in the outbox and goes out once the queue exists', async () => {
    broker.publish(target, envelope('T-late-queue'));
    await waitUntil(() => deliveries.length === 1, 20_000, 'the envelope');
    const [run] = await runsOf();
    worker = await connectClient(t.app, 'operator');
    await worker.ok('cancel_run', { run_id: run!.id, reason: 'not needed' });
    await waitUntil(async () => (await outboxOf(run!.id))[0]?.lastError !== null && (await outboxOf(run!.id))[0]?.lastError !== undefined, 20_000, 'a failed attempt');
    expect((await outboxOf(run!.id))[0]).toMatchObject({ publishedAt: null, lastError: expect.stringContaining('no queue named') });
    const replies = await broker.replyQueue(replyTo);
    t.clock.advance(10 * 60_000);
    await waitUntil(() => replies.messages.length >= 1, 20_000, 'the completion');
    expect(replies.bodies()).toEqual([expect.objectContaining({ task_id: 'T-late-queue', status: 'cancelled' })]);
  });

  it('survives losing its RabbitMQ connection: reconnects with backoff and carries on (nothing lost, nothing doubled)', async () => {
    broker.publish(target, envelope('T-before'));
    await waitUntil(() => deliveries.length === 1, 20_000, 'the first envelope');
    const why = await closeConnectionNamed(bridge.connectionName);
    if (why) {
      console.warn(`skipping the connection-loss part: ${why}`);
      return;
    }
    broker.publish(target, envelope('T-after'));
    broker.publish(target, envelope('T-before'));
    await waitUntil(() => deliveries.length === 3, 30_000, 'the envelopes sent while it reconnected');
    expect((await runsOf()).map((r) => r.idempotencyKey).sort()).toEqual(['T-after', 'T-before']);
    expect(deliveries.filter((d) => d.kind === 'ack' && d.deduplicated)).toHaveLength(1);
  });
});
