import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completionOf, type ExternalTask } from '../../src/domain/external-task.js';
import { submitTask } from '../../src/services/runs/submit.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

describe('external tasks and the completion outbox (SQLite)', () => {
  let t: TestApp;
  let link: ExternalTask;
  beforeEach(async () => {
    t = await openTestApp();
    const { run } = await submitTask(t.app.deps, { kind: 'operator', name: 'op' }, { title: 'x', instructions: 'y', to_role: 'worker' });
    link = await t.app.deps.store.write((tx) =>
      tx.externalTasks.link({ runId: run.id, origin: 'agentq', taskId: 'T-1', sender: 'c', target: 'worker', replyTo: 'q', contextRef: null }, 1),
    );
  });
  afterEach(() => t.close());

  it('one task id per origin; found by task and by run', async () => {
    await expect(
      t.app.deps.store.write((tx) => tx.externalTasks.link({ runId: link.runId, origin: 'agentq', taskId: 'T-1', sender: 'c', target: 'worker', replyTo: null, contextRef: null }, 2)),
    ).rejects.toThrow(/UNIQUE|PRIMARY/);
    const found = await t.app.deps.store.read((tx) => [tx.externalTasks.byTask('agentq', 'T-1'), tx.externalTasks.byRun(link.runId), tx.externalTasks.byTask('other', 'T-1')]);
    expect(found).toEqual([link, link, null]);
  });

  it('one completion per ending event; two relays never claim the same row; only the holder marks it', async () => {
    const run = (await t.app.deps.store.read((tx) => tx.runs.get(link.runId)))!;
    const completion = completionOf(link, { ...run, state: 'cancelled', finishedAt: 10 }, 'op');
    const added = await t.app.deps.store.write((tx) => [
      tx.externalTasks.enqueueCompletion({ runId: run.id, endSeq: 7, replyTo: 'q', completion }, 10),
      tx.externalTasks.enqueueCompletion({ runId: run.id, endSeq: 7, replyTo: 'q', completion }, 11),
    ]);
    expect(added).toEqual([true, false]);
    const [a, b] = await t.app.deps.store.write((tx) => [tx.externalTasks.claimPending('relay-a', 20, 1000, 10), tx.externalTasks.claimPending('relay-b', 20, 1000, 10)]);
    expect(a).toHaveLength(1);
    expect(b).toEqual([]);
    expect(a[0]).toMatchObject({ taskId: 'T-1', status: 'cancelled', attempts: 1, completion: { status: 'cancelled', to: 'c' } });
    // relay-b cannot mark relay-a's row; after the hold lapses, relay-b may claim it
    expect(await t.app.deps.store.write((tx) => tx.externalTasks.markPublished(a[0]!.id, 'relay-b', 30))).toBe(false);
    const retaken = await t.app.deps.store.write((tx) => tx.externalTasks.claimPending('relay-b', 1020, 1000, 10));
    expect(retaken.map((e) => e.attempts)).toEqual([2]);
    expect(await t.app.deps.store.write((tx) => tx.externalTasks.markPublished(a[0]!.id, 'relay-a', 1030))).toBe(false);
    expect(await t.app.deps.store.write((tx) => tx.externalTasks.markPublished(a[0]!.id, 'relay-b', 1030))).toBe(true);
    expect(await t.app.deps.store.write((tx) => tx.externalTasks.claimPending('relay-a', 99_999, 1000, 10))).toEqual([]);
    expect(await t.app.deps.store.read((tx) => tx.externalTasks.figures())).toEqual({ received: 1, completionsPublished: 1, backlog: 0, oldestBacklogAt: null });
  });

  it('a deferred completion waits until its retry time', async () => {
    const run = (await t.app.deps.store.read((tx) => tx.runs.get(link.runId)))!;
    await t.app.deps.store.write((tx) => tx.externalTasks.enqueueCompletion({ runId: run.id, endSeq: 3, replyTo: 'q', completion: completionOf(link, { ...run, state: 'dead' }, 'system') }, 10));
    const [entry] = await t.app.deps.store.write((tx) => tx.externalTasks.claimPending('r', 10, 1000, 10));
    await t.app.deps.store.write((tx) => tx.externalTasks.deferPublish(entry!.id, 'r', 'no queue named q', 5000));
    expect(await t.app.deps.store.write((tx) => tx.externalTasks.claimPending('r', 4999, 1000, 10))).toEqual([]);
    expect(await t.app.deps.store.write((tx) => tx.externalTasks.claimPending('r', 5000, 1000, 10))).toMatchObject([{ lastError: 'no queue named q', attempts: 2 }]);
    expect(await t.app.deps.store.read((tx) => tx.externalTasks.figures())).toMatchObject({ backlog: 1, oldestBacklogAt: 10 });
  });
});
