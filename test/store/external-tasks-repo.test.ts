import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completionOf, type ExternalTask } from '../../src/domain/external-task.js';
import { submitTask } from '../../src/services/runs/submit.js';
import { openTestApp, type TestApp } from '../helpers/app.js';
import { TEST_ENGINE } from '../helpers/postgres.js';

// Runs on the engine FLEETDECK_TEST_STORE selects (SQLite by default, or PostgreSQL).
describe(`external tasks and the completion outbox (${TEST_ENGINE})`, () => {
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

  const enqueue = (status: 'cancelled' | 'dead', at: number) =>
    t.app.deps.store.write(async (tx) => {
      const run = (await tx.runs.get(link.runId))!;
      return tx.externalTasks.enqueueCompletion({ runId: run.id, replyTo: 'q', completion: completionOf(link, { ...run, state: status, finishedAt: at }, 'op') }, at);
    });

  it('one task id per origin; found by task and by run', async () => {
    await expect(
      t.app.deps.store.write((tx) => tx.externalTasks.link({ runId: link.runId, origin: 'agentq', taskId: 'T-1', sender: 'c', target: 'worker', replyTo: null, contextRef: null }, 2)),
    ).rejects.toThrow(/UNIQUE|PRIMARY|duplicate key/i);
    const found = await t.app.deps.store.read(async (tx) => [
      await tx.externalTasks.byTask('agentq', 'T-1'),
      await tx.externalTasks.byRun(link.runId),
      await tx.externalTasks.byTask('other', 'T-1'),
    ]);
    expect(found).toEqual([link, link, null]);
  });

  it('one row per end of the run; two relays never claim the same row; only the holder marks it', async () => {
    const first = await enqueue('cancelled', 10);
    const second = await enqueue('dead', 11);
    expect(second).toBeGreaterThan(first);
    expect((await t.app.deps.store.read((tx) => tx.externalTasks.completionsOf(link.runId))).map((e) => [e.id, e.status])).toEqual([
      [first, 'cancelled'],
      [second, 'dead'],
    ]);
    const [a, b] = await t.app.deps.store.write(async (tx) => [await tx.externalTasks.claimPending('relay-a', 20, 1000, 1), await tx.externalTasks.claimPending('relay-b', 20, 1000, 10)]);
    expect(a).toHaveLength(1);
    expect(b!.map((e) => e.id)).toEqual([second]);
    expect(a![0]).toMatchObject({ id: first, taskId: 'T-1', status: 'cancelled', attempts: 1, completion: { status: 'cancelled', to: 'c' } });
    // relay-b cannot mark relay-a's row; after the hold lapses, relay-b may claim it
    expect(await t.app.deps.store.write((tx) => tx.externalTasks.markPublished(first, 'relay-b', 30))).toBe(false);
    const retaken = await t.app.deps.store.write((tx) => tx.externalTasks.claimPending('relay-b', 1020, 1000, 10));
    expect(retaken.map((e) => [e.id, e.attempts])).toEqual([
      [first, 2],
      [second, 2],
    ]);
    expect(await t.app.deps.store.write((tx) => tx.externalTasks.markPublished(first, 'relay-a', 1030))).toBe(false);
    expect(await t.app.deps.store.write((tx) => tx.externalTasks.markPublished(first, 'relay-b', 1030))).toBe(true);
    expect(await t.app.deps.store.write((tx) => tx.externalTasks.markPublished(second, 'relay-b', 1030))).toBe(true);
    expect(await t.app.deps.store.write((tx) => tx.externalTasks.claimPending('relay-a', 99_999, 1000, 10))).toEqual([]);
    expect(await t.app.deps.store.read((tx) => tx.externalTasks.figures())).toEqual({ received: 1, completionsPublished: 2, backlog: 0, oldestBacklogAt: null });
  });

  it('relays claiming in concurrent transactions split the rows between them', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push(await enqueue('cancelled', 10 + i));
    const claims = await Promise.all(
      ['r1', 'r2', 'r3'].map((relay) => t.app.deps.store.write((tx) => tx.externalTasks.claimPending(relay, 100, 1000, 5))),
    );
    const claimed = claims.flat().map((e) => e.id);
    // each row to one relay at most (no row twice); together they took all twelve
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort((x, y) => x - y)).toEqual(ids);
  });

  it('a deferred completion waits until its retry time', async () => {
    await enqueue('dead', 10);
    const [entry] = await t.app.deps.store.write((tx) => tx.externalTasks.claimPending('r', 10, 1000, 10));
    await t.app.deps.store.write((tx) => tx.externalTasks.deferPublish(entry!.id, 'r', 'no queue named q', 5000));
    expect(await t.app.deps.store.write((tx) => tx.externalTasks.claimPending('r', 4999, 1000, 10))).toEqual([]);
    expect(await t.app.deps.store.write((tx) => tx.externalTasks.claimPending('r', 5000, 1000, 10))).toMatchObject([{ lastError: 'no queue named q', attempts: 2 }]);
    expect(await t.app.deps.store.read((tx) => tx.externalTasks.figures())).toMatchObject({ backlog: 1, oldestBacklogAt: 10 });
  });
});
