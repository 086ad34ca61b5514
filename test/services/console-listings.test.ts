import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { heartbeat, registerAgent } from '../../src/services/agents.js';
import { claimScope } from '../../src/services/claims/index.js';
import { countRunsByState, pageAgents, pageEvents, pageRuns, triedFailureRate } from '../../src/services/listings.js';
import { forgetStaleAgents, requeueDeadLetters } from '../../src/services/operator/bulk.js';
import { submitTask } from '../../src/services/runs/submit.js';
import { readTx } from '../../src/services/tx.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

/** The console's paged lists and bulk actions, on either engine (contract suite). */
let t: TestApp;
const operator = { kind: 'operator' as const, name: 'ops' };
const coordinator = { kind: 'operator' as const, name: 'coord' };

beforeEach(async () => {
  t = await openTestApp({ agentLeaseSeconds: '60' });
});
afterEach(async () => {
  await t.close();
});

describe('console listings', () => {
  it('page events by family and type under many heartbeats, with exact counts and a cursor', async () => {
    const a = (await registerAgent(t.app.deps, { name: 'busy', role: 'implementer' })).agent.id;
    for (let i = 0; i < 7; i++) await submitTask(t.app.deps, coordinator, { title: `t${i}`, instructions: 'x', to_role: 'implementer' });
    for (let i = 0; i < 300; i++) await heartbeat(t.app.deps, a, { note: `step ${i}` });
    const runs = await pageEvents(t.app.deps, { family: 'run' }, undefined, 5);
    expect(runs.total).toBe(7);
    expect(runs.items.map((e) => e.type)).toEqual(Array(5).fill('run.submitted'));
    const rest = await pageEvents(t.app.deps, { family: 'run.' }, runs.next!, 5);
    expect(rest.items).toHaveLength(2);
    expect(rest.next).toBeNull();
    expect(rest.items[0]!.seq).toBeLessThan(runs.items[4]!.seq);
    expect((await pageEvents(t.app.deps, { type: 'run.submitted' }, undefined, 50)).total).toBe(7);
    const all = await pageEvents(t.app.deps, {}, undefined, 50);
    expect(all.items.some((e) => e.type === 'agent.heartbeat')).toBe(false);
    const beats = await pageEvents(t.app.deps, { heartbeats: true }, undefined, 50);
    expect(beats.total).toBe(all.total + 300);
    expect((await pageEvents(t.app.deps, { family: 'nonsense' }, undefined, 50)).total).toBe(0);
  });

  it('page queued runs in take order with exact counts per state', async () => {
    for (let i = 0; i < 12; i++) await submitTask(t.app.deps, coordinator, { title: `task-q${i}`, instructions: 'x', to_role: 'implementer', priority: i === 7 ? 9 : i % 2 });
    const first = await pageRuns(t.app.deps, 'queued', {}, undefined, 5);
    expect(first.total).toBe(12);
    expect(first.items[0]!.title).toBe('task-q7');
    const seen = [...first.items];
    for (let cursor = first.next; cursor; ) {
      const page = await pageRuns(t.app.deps, 'queued', {}, cursor, 5);
      seen.push(...page.items);
      cursor = page.next;
    }
    expect(seen.map((r) => r.title.slice(5))).toEqual(['q7', 'q1', 'q3', 'q5', 'q9', 'q11', 'q0', 'q2', 'q4', 'q6', 'q8', 'q10']);
    expect((await countRunsByState(t.app.deps, ['queued', 'dead'], { text: 'Task-Q1' })).get('queued')).toBe(3); // task-q1, task-q10, task-q11 (ids have no hyphen)
  });

  it('requeue every dead letter in one go, each with its event, and a targeted agent is told', async () => {
    const target = (await registerAgent(t.app.deps, { name: 'target', role: 'implementer' })).agent.id;
    for (let i = 0; i < 3; i++) await submitTask(t.app.deps, coordinator, { title: `late ${i}`, instructions: 'x', to_role: 'nobody', ttl_seconds: 10 });
    await submitTask(t.app.deps, coordinator, { title: 'aimed', instructions: 'x', to_agent: target, ttl_seconds: 10 });
    t.clock.advance(11_000);
    await heartbeat(t.app.deps, target, {}); // a write: expiry runs
    expect((await countRunsByState(t.app.deps, ['dead'], {})).get('dead')).toBe(4);
    expect((await triedFailureRate(t.app.deps)).neverTried).toBe(4);
    expect((await triedFailureRate(t.app.deps)).rate).toBeNull(); // expired untried: no failure of the work

    const out = await requeueDeadLetters(t.app.deps, operator, {});
    expect(out).toMatchObject({ remaining: 0 });
    expect(out.requeued).toHaveLength(4);
    expect((await countRunsByState(t.app.deps, ['dead', 'queued'], {})).get('queued')).toBe(4);
    const events = await readTx(t.app.deps, (tx) => tx.events.list({ types: ['run.requeued'], limit: 10 }));
    expect(events).toHaveLength(4);
    const now = t.clock.now();
    const signals = await t.app.deps.store.write((tx) => tx.signals.deliver(target, 'test-delivery', now, now, 50));
    expect(signals.some((s) => s.kind === 'run_assigned' && s.payload.requeued === true)).toBe(true);
  });

  it('forget only stale agents that hold nothing, until their next sign of life', async () => {
    const idle = (await registerAgent(t.app.deps, { name: 'idle', role: 'implementer' })).agent.id;
    const holder = (await registerAgent(t.app.deps, { name: 'holder', role: 'implementer' })).agent.id;
    const live = (await registerAgent(t.app.deps, { name: 'live', role: 'implementer' })).agent.id;
    await claimScope(t.app.deps, holder, { scopes: [{ kind: 'path', pattern: 'src/**' }] });
    t.clock.advance(61_000);
    await heartbeat(t.app.deps, live, {});
    const out = await forgetStaleAgents(t.app.deps, operator, {});
    // the holder's claims ended with its liveness? then it too holds nothing: either way the live one stays
    expect(out.forgotten.map((a) => a.name)).toContain('idle');
    expect(out.forgotten.map((a) => a.name)).not.toContain('live');
    const listed = await pageAgents(t.app.deps, {}, undefined, 50);
    expect(listed.items.map((r) => r.agent.name)).not.toContain('idle');
    expect(listed.forgottenCount).toBe(out.forgotten.length);
    const events = await readTx(t.app.deps, (tx) => tx.events.list({ types: ['agent.forgotten'], limit: 10 }));
    expect(events.map((e) => e.agentId)).toContain(idle);
    t.clock.advance(1000);
    await heartbeat(t.app.deps, idle, {});
    expect((await pageAgents(t.app.deps, {}, undefined, 50)).items.map((r) => r.agent.name)).toContain('idle');
    expect((await forgetStaleAgents(t.app.deps, operator, {})).forgotten).toEqual([]); // nothing stale and idle left unforgotten
  });
});
