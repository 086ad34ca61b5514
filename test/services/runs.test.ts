import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.js';
import { registerAgent } from '../../src/services/agents.js';
import { ChangeFeed } from '../../src/services/change-feed.js';
import { submitResult } from '../../src/services/runs/result.js';
import { submitTask } from '../../src/services/runs/submit.js';
import { takeTask } from '../../src/services/runs/take.js';
import { sweepOnce } from '../../src/services/sweep.js';
import { sqliteInternals } from '../helpers/postgres.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

describe('runs service layer (real SQLite, manual clock)', () => {
  let t: TestApp;
  let coord: Actor;
  let feed: ChangeFeed;
  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    feed = t.app.feed;
    const c = await registerAgent(t.app.deps, { name: 'coord', role: 'coordinator' });
    coord = { kind: 'agent', agentId: c.agent.id };
  });
  afterEach(() => t.close());

  const agents = async (n: number, role = 'implementer') =>
    Promise.all(Array.from({ length: n }, async (_, i) => (await registerAgent(t.app.deps, { name: `w${i}`, role })).agent.id));

  it('concurrent submits with one idempotency key create one run', async () => {
    const input = { title: 'once', instructions: 'x', to_role: 'implementer', idempotency_key: 'k1' };
    const results = await Promise.all(Array.from({ length: 20 }, () => submitTask(t.app.deps, coord, input)));
    expect(new Set(results.map((r) => r.run.id)).size).toBe(1);
    expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
    const count = await t.app.deps.store.read(async (tx) => (await tx.runs.list({ limit: 100 })).length);
    expect(count).toBe(1);
    // the key is scoped to the submitter: an operator may use the same key for its own task
    const other = await submitTask(t.app.deps, { kind: 'operator', name: 'ops' }, input);
    expect(other.deduplicated).toBe(false);
  });

  it('concurrent takers never share a run', async () => {
    const workers = await agents(6);
    for (let i = 0; i < 3; i++) await submitTask(t.app.deps, coord, { title: `t${i}`, instructions: 'x', to_role: 'implementer' });
    const outs = await Promise.all(workers.map((w) => takeTask(t.app.deps, feed, w, {})));
    const got = outs.filter((o) => o.run).map((o) => o.run!.id);
    expect(got).toHaveLength(3);
    expect(new Set(got).size).toBe(3);
    expect(outs.filter((o) => !o.run).every((o) => o.reason === 'empty')).toBe(true);
  });

  it('backoff uses the injected random: 5 s then 10 s with random() = 0', async () => {
    const [w] = await agents(1);
    const { run } = await submitTask(t.app.deps, coord, { title: 'flaky', instructions: 'x', to_role: 'implementer', max_attempts: 5 });
    let now = t.clock.now();
    await takeTask(t.app.deps, feed, w!, {});
    const first = await submitResult(t.app.deps, { kind: 'agent', agentId: w! }, { run_id: run.id, outcome: 'failed', summary: 'e1', retryable: true }, () => 0);
    expect(first.retryAt! - now).toBe(5_000);
    t.clock.advance(5_000);
    now = t.clock.now();
    expect((await takeTask(t.app.deps, feed, w!, {})).run?.attempts).toBe(2);
    const second = await submitResult(t.app.deps, { kind: 'agent', agentId: w! }, { run_id: run.id, outcome: 'failed', summary: 'e2', retryable: true }, () => 0);
    expect(second.retryAt! - now).toBe(10_000);
    expect(second.run).toMatchObject({ state: 'queued', retries: 2, lastError: 'e2' });
  });

  it('the sweep expires TTLs and recovers lapsed leases with no other writer, idempotently', async () => {
    const [w] = await agents(1);
    const ttl = await submitTask(t.app.deps, coord, { title: 'ttl', instructions: 'x', to_role: 'reviewer', ttl_seconds: 10 });
    const held = await submitTask(t.app.deps, coord, { title: 'held', instructions: 'x', to_role: 'implementer' });
    await takeTask(t.app.deps, feed, w!, {});
    t.clock.advance(61_000);
    const first = await sweepOnce(t.app.deps);
    expect(first.staleAgents).toContain(w);
    const second = await sweepOnce(t.app.deps);
    expect(second).toMatchObject({ staleAgents: [], expired: 0 });
    const [a, b] = await t.app.deps.store.read(async (tx) => [(await tx.runs.get(ttl.run.id))!, (await tx.runs.get(held.run.id))!]);
    expect(a).toMatchObject({ state: 'dead', deadReason: 'expired' });
    expect(b).toMatchObject({ state: 'queued', stateReason: 'owner_stale', lastOwnerId: w, leaseEpoch: 1, leaseExpiries: 1 });
    const events = await t.app.deps.store.read(async (tx) => (await tx.events.list({ types: ['run.expired', 'run.requeued'], limit: 10 })).map((e) => e.type));
    expect(events.sort()).toEqual(['run.expired', 'run.requeued']);
  });

  it.skipIf(sqliteInternals('SQL refuses a state the machine forbids (CHECK constraints back the service rules)'))('SQL refuses a state the machine forbids (CHECK constraints back the service rules)', async () => {
    const { run } = await submitTask(t.app.deps, coord, { title: 'x', instructions: 'x', to_role: 'implementer' });
    const db = (t.app.deps.store as unknown as { db: import('better-sqlite3').Database }).db;
    expect(() => db.prepare("UPDATE runs SET state = 'leased' WHERE id = ?").run(run.id)).toThrow(/CHECK/); // no owner
    expect(() => db.prepare("UPDATE runs SET state = 'dead' WHERE id = ?").run(run.id)).toThrow(/CHECK/); // no reason
    expect(() => db.prepare("UPDATE runs SET state = 'bogus' WHERE id = ?").run(run.id)).toThrow(/CHECK/);
  });
});
