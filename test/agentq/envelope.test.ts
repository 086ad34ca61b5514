import { describe, expect, it } from 'vitest';
import { completionMessage, MAX_ENVELOPE_BYTES, parseEnvelope, taskInputOf } from '../../src/agentq/envelope.js';
import { completionOf, type ExternalTask } from '../../src/domain/external-task.js';
import type { Run } from '../../src/domain/run.js';

const body = (o: unknown) => Buffer.from(JSON.stringify(o));
const seed = {
  task_id: 'T-42',
  from: 'coordinator',
  to: 'implementation-worker',
  type: 'implement',
  priority: 'high',
  ttl_seconds: 3600,
  reply_to: 'coordinator.replies',
  context_ref: 'file:///repo/.agentq/T-42.md',
  instructions: '## Add retries\nto the HTTP client',
  expected_output: { artifacts: ['patch', 'test-output'] },
};

describe('agentq envelope', () => {
  it("maps the seed's task shape onto a run: role, priority, TTL, expected evidence, title", () => {
    const parsed = parseEnvelope(body(seed));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(taskInputOf(parsed.envelope, 0)).toEqual({
      origin: 'agentq',
      taskId: 'T-42',
      sender: 'coordinator',
      target: 'implementation-worker',
      replyTo: 'coordinator.replies',
      type: 'implement',
      title: 'Add retries',
      instructions: seed.instructions,
      priority: 10,
      ttlSeconds: 3600,
      expectedEvidence: ['patch', 'test-output'],
      contextRef: 'file:///repo/.agentq/T-42.md',
    });
  });

  it('counts time already spent in RabbitMQ against the TTL, never below one second', () => {
    const parsed = parseEnvelope(body(seed));
    if (!parsed.ok) throw new Error('expected ok');
    expect(taskInputOf(parsed.envelope, 600.4).ttlSeconds).toBe(3000);
    expect(taskInputOf(parsed.envelope, 7200).ttlSeconds).toBe(1);
    expect(taskInputOf(parsed.envelope, -50).ttlSeconds).toBe(3600);
  });

  it('defaults: normal priority, no TTL, no reply; unknown fields are ignored', () => {
    const parsed = parseEnvelope(body({ task_id: 'T-1', from: 'c', to: 'review-worker', type: 'review', instructions: 'look', extra: { any: 1 } }));
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(taskInputOf(parsed.envelope, 0)).toMatchObject({ priority: 0, ttlSeconds: null, replyTo: null, expectedEvidence: [], contextRef: null, title: 'look' });
  });

  it.each([
    ['not JSON', Buffer.from('{'), /not JSON/],
    ['an array', body([seed]), /a JSON object/],
    ['missing task_id', body({ ...seed, task_id: undefined }), /task_id/],
    ['a task id with spaces', body({ ...seed, task_id: 'T 1' }), /task_id: printable ASCII/],
    ['an unknown priority', body({ ...seed, priority: 'urgent' }), /priority/],
    ['a TTL of zero', body({ ...seed, ttl_seconds: 0 }), /ttl_seconds/],
    ['a bad evidence kind', body({ ...seed, expected_output: { artifacts: ['Patch File'] } }), /expected_output\.artifacts\.0/],
    ['a target with a slash', body({ ...seed, to: 'a/b' }), /to: a worker target/],
    ['neither instructions nor context', body({ ...seed, instructions: ' ', context_ref: null }), /give instructions or a context_ref/],
    ['an oversized envelope', Buffer.alloc(MAX_ENVELOPE_BYTES + 1, 32), /the limit is/],
  ])('refuses %s with a reason', (_what, content, reason) => {
    const parsed = parseEnvelope(content);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('keeps the task id of a refused envelope when it could read one', () => {
    const parsed = parseEnvelope(body({ ...seed, priority: 'urgent' }));
    expect(parsed).toMatchObject({ ok: false, taskId: 'T-42' });
  });

  it('a completion answers the sender from the worker target, with the result reference', () => {
    const link: ExternalTask = { runId: 'run_1', origin: 'agentq', taskId: 'T-42', sender: 'coordinator', target: 'implementation-worker', replyTo: 'q', contextRef: null, resultRef: null, reportedBy: null, createdAt: 0 };
    const run = {
      id: 'run_1',
      state: 'completed',
      result: { outcome: 'completed', summary: 'done', evidence: ['art_9'], risks: [], by: 'agt_w', epoch: 1, at: 5 },
      deadReason: null,
      lastError: null,
      stateReason: null,
      attempts: 1,
      finishedAt: Date.UTC(2026, 10, 30),
      updatedAt: 0,
    } as unknown as Run;
    expect(completionMessage(completionOf(link, run, 'agt_w'))).toEqual({
      task_id: 'T-42',
      from: 'implementation-worker',
      to: 'coordinator',
      status: 'completed',
      result_ref: 'fleet://artifacts/art_9',
      summary: 'done',
      run_id: 'run_1',
      by: 'agt_w',
      dead_reason: null,
      evidence: ['art_9'],
      attempts: 1,
      finished_at: '2026-11-30T00:00:00.000Z',
    });
    const dead = { ...run, state: 'dead', result: null, deadReason: 'expired' } as unknown as Run;
    expect(completionMessage(completionOf({ ...link, resultRef: 'file:///r.md' }, dead, 'system'))).toMatchObject({ status: 'dead', summary: 'dead letter (expired)', result_ref: 'file:///r.md', by: 'system' });
  });
});
