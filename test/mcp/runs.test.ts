import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, errorCode, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';

interface RunView {
  run_id: string;
  title: string;
  state: string;
  dead_reason: string | null;
  state_reason: string | null;
  owner_id: string | null;
  last_owner_id: string | null;
  lease_epoch: number;
  attempts: number;
  max_attempts: number;
  available_at: string;
  instructions?: string;
  result: { outcome: string; summary: string; evidence: string[]; by: string; epoch: number } | null;
  last_error: string | null;
  usage: { tokens_in: number; cost_usd: number };
}
interface Signal {
  kind: string;
  run_id: string | null;
  message: string;
  payload: Record<string, unknown>;
}
interface Take {
  run: RunView | null;
  lease_epoch?: number;
  reason?: string;
  signals?: Signal[];
}

async function register(c: TestClient, name: string, role: string): Promise<string> {
  return (await c.ok<{ agent_id: string }>('register_agent', { name, role })).agent_id;
}

function signalsOf(result: { signals?: Signal[] }, kind: string): Signal[] {
  return (result.signals ?? []).filter((s) => s.kind === kind);
}

describe('runs and the queue over MCP', () => {
  let t: TestApp;
  let coord: TestClient;
  let w1: TestClient;
  let w2: TestClient;
  let op: TestClient;
  let coordId: string;
  let w1Id: string;
  let w2Id: string;

  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    coord = await connectClient(t.app);
    w1 = await connectClient(t.app);
    w2 = await connectClient(t.app);
    op = await connectClient(t.app, 'operator');
    coordId = await register(coord, 'coordinator', 'coordinator');
    w1Id = await register(w1, 'worker-1', 'implementer');
    w2Id = await register(w2, 'worker-2', 'implementer');
  });
  afterEach(async () => {
    for (const c of [coord, w1, w2, op]) await c.close();
    t.close();
  });

  const submit = (args: Record<string, unknown>) =>
    coord.ok<{ run_id: string; state: string; deduplicated: boolean }>('submit_task', { title: 'implement X', instructions: 'do X', to_role: 'implementer', ...args });

  it('submit → take → evidence → result reaches the submitter with outcome, summary and evidence', async () => {
    const sub = await submit({ expected_evidence: ['test-output'], priority: 5 });
    expect(sub).toMatchObject({ state: 'queued', deduplicated: false });

    const took = await w1.ok<Take>('take_task');
    expect(took.run).toMatchObject({ run_id: sub.run_id, state: 'leased', owner_id: w1Id, lease_epoch: 1, attempts: 1, instructions: 'do X' });
    expect(took.lease_epoch).toBe(1);
    expect((took.run as RunView & { submitter: string }).submitter).toBe(coordId);

    const missing = await w1.call('submit_result', { run_id: sub.run_id, outcome: 'completed', summary: 'done', lease_epoch: 1 });
    expect(errorCode(missing)).toBe('MISSING_EVIDENCE');
    expect((missing.structuredContent.error as { hint: string }).hint).toContain('"test-output"');

    const art = await w1.ok<{ artifact_id: string }>('attach_evidence', { run_id: sub.run_id, kind: 'test-output', content: '12 passed', lease_epoch: 1 });
    const closed = await w1.ok<{ run: RunView; late: boolean }>('submit_result', {
      run_id: sub.run_id,
      outcome: 'completed',
      summary: 'X works; tests pass',
      evidence: [art.artifact_id],
      lease_epoch: 1,
      usage: { tokens_in: 1200, cost_usd: 0.02 },
    });
    expect(closed.run).toMatchObject({ state: 'completed', owner_id: null, result: { outcome: 'completed', evidence: [art.artifact_id], by: w1Id, epoch: 1 } });
    expect(closed.late).toBe(false);
    expect(closed.run.usage).toMatchObject({ tokens_in: 1200, cost_usd: 0.02 });

    const who = await coord.ok<{ signals?: Signal[] }>('whoami');
    const finished = signalsOf(who, 'run_finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ run_id: sub.run_id, payload: { outcome: 'completed', summary: 'X works; tests pass', evidence: [art.artifact_id] } });

    const view = await coord.ok<{ run: RunView; evidence: { id: string; kind: string; sha256: string }[] }>('get_run', { run_id: sub.run_id });
    expect(view.evidence.map((e) => e.kind)).toEqual(['test-output']);

    const again = await w1.call('submit_result', { run_id: sub.run_id, outcome: 'completed', summary: 'again', evidence: [art.artifact_id] });
    expect(errorCode(again)).toBe('INVALID_STATE');
  });

  it('idempotency_key: same input returns the existing run, a different input is refused, one event only', async () => {
    const a = await submit({ idempotency_key: 'job-1' });
    const b = await submit({ idempotency_key: 'job-1' });
    expect(b).toMatchObject({ run_id: a.run_id, deduplicated: true });
    const c = await coord.call('submit_task', { title: 'implement X', instructions: 'do Y instead', to_role: 'implementer', idempotency_key: 'job-1' });
    expect(errorCode(c)).toBe('INVALID_INPUT');
    expect((c.structuredContent.error as { message: string }).message).toContain(a.run_id);
    const events = await coord.ok<{ events: { type: string }[] }>('list_events', { types: ['run.submitted'] });
    expect(events.events).toHaveLength(1);
    const list = await coord.ok<{ runs: RunView[] }>('list_runs', { submitter: 'me' });
    expect(list.runs.map((r) => r.run_id)).toEqual([a.run_id]);
  });

  it('takes by priority then age, honours to_agent, and exactly one of to_role / to_agent', async () => {
    const low = await submit({ title: 'low', priority: 0 });
    t.clock.advance(1000);
    const high = await submit({ title: 'high', priority: 10 });
    t.clock.advance(1000);
    const high2 = await submit({ title: 'high, newer', priority: 10 });
    const mine = await coord.ok<{ run_id: string }>('submit_task', { title: 'for w2 only', instructions: 'x', to_agent: w2Id, priority: -5 });
    expect((await w1.ok<Take>('take_task')).run?.run_id).toBe(high.run_id);
    expect((await w1.ok<Take>('take_task')).run?.run_id).toBe(high2.run_id);
    expect((await w1.ok<Take>('take_task')).run?.run_id).toBe(low.run_id);
    expect((await w1.ok<Take>('take_task')).run).toBeNull();
    const w2take = await w2.ok<Take>('take_task');
    expect(w2take.run?.run_id).toBe(mine.run_id);
    expect(signalsOf(w2take, 'run_assigned').map((s) => s.run_id)).toEqual([mine.run_id]);
    const both = await coord.call('submit_task', { title: 't', instructions: 'x', to_role: 'implementer', to_agent: w2Id });
    expect(errorCode(both)).toBe('INVALID_INPUT');
    const ghost = await coord.call('submit_task', { title: 't', instructions: 'x', to_agent: 'agt_nosuchagent' });
    expect(errorCode(ghost)).toBe('NOT_FOUND');
  });

  it('TTL: a queued run past its TTL is dead (expired), never delivered, and the submitter is told', async () => {
    const sub = await submit({ ttl_seconds: 30 });
    t.clock.advance(31_000);
    const took = await w1.ok<Take>('take_task');
    expect(took.run).toBeNull();
    const view = await coord.ok<{ run: RunView; signals?: Signal[] }>('get_run', { run_id: sub.run_id });
    expect(view.run).toMatchObject({ state: 'dead', dead_reason: 'expired', attempts: 0 });
    expect(signalsOf(view, 'run_finished')[0]?.payload).toMatchObject({ state: 'dead', dead_reason: 'expired' });
  });

  it('retryable failures back off exponentially, then dead-letter with max_attempts; requeue_run gives a new attempt', async () => {
    const sub = await submit({ max_attempts: 2 });
    const first = await w1.ok<Take>('take_task');
    const failed = await w1.ok<{ run: RunView; retry_at: string }>('submit_result', { run_id: sub.run_id, outcome: 'failed', summary: 'flaky network', retryable: true, lease_epoch: first.lease_epoch });
    expect(failed.run).toMatchObject({ state: 'queued', owner_id: null, last_error: 'flaky network' });
    const delay = Date.parse(failed.retry_at) - t.clock.now();
    expect(delay).toBeGreaterThanOrEqual(5_000);
    expect(delay).toBeLessThanOrEqual(10_000);

    expect((await w2.ok<Take>('take_task')).run).toBeNull(); // still backing off
    t.clock.advance(delay);
    const second = await w2.ok<Take>('take_task');
    expect(second.run).toMatchObject({ run_id: sub.run_id, attempts: 2, lease_epoch: 2 });

    const dead = await w2.ok<{ run: RunView }>('submit_result', { run_id: sub.run_id, outcome: 'failed', summary: 'still broken', retryable: true });
    expect(dead.run).toMatchObject({ state: 'dead', dead_reason: 'max_attempts', result: { outcome: 'failed', summary: 'still broken' } });

    const queue = JSON.parse(((await coord.client.readResource({ uri: 'fleet://queue' })).contents[0] as { text: string }).text);
    expect(queue.dead_letters.total).toBe(1);
    expect(queue.dead_letters.recent[0]).toMatchObject({ run_id: sub.run_id, dead_reason: 'max_attempts', last_error: 'still broken' });
    expect(queue.retries).toBe(1);
    expect(queue.failure_rate).toBe(1);

    const agentRequeue = await coord.call('requeue_run', { run_id: sub.run_id });
    expect(errorCode(agentRequeue)).toBe('INVALID_INPUT'); // not even listed to agents
    const requeued = await op.ok<{ run: RunView }>('requeue_run', { run_id: sub.run_id, reason: 'network fixed' });
    expect(requeued.run).toMatchObject({ state: 'queued', dead_reason: null, max_attempts: 3 });
    const third = await w1.ok<Take>('take_task');
    expect(third.run).toMatchObject({ run_id: sub.run_id, attempts: 3 });
  });

  it('a non-retryable failure ends the run failed, and the submitter learns it', async () => {
    const sub = await submit({});
    await w1.ok<Take>('take_task');
    const out = await w1.ok<{ run: RunView }>('submit_result', { run_id: sub.run_id, outcome: 'failed', summary: 'the spec contradicts itself' });
    expect(out.run).toMatchObject({ state: 'failed', result: { outcome: 'failed' } });
    const who = await coord.ok<{ signals?: Signal[] }>('whoami');
    expect(signalsOf(who, 'run_finished')[0]?.payload).toMatchObject({ outcome: 'failed', summary: 'the spec contradicts itself' });
  });

  it('fencing: a stale owner whose run was taken by another gets LEASE_LOST and changes nothing', async () => {
    const sub = await submit({});
    const a = await w1.ok<Take>('take_task');
    expect(a.lease_epoch).toBe(1);
    t.clock.advance(61_000); // w1 falls silent past its 60 s lease
    const b = await w2.ok<Take>('take_task');
    expect(b.run).toMatchObject({ run_id: sub.run_id, owner_id: w2Id, lease_epoch: 2, attempts: 2 });

    const late = await w1.call('submit_result', { run_id: sub.run_id, outcome: 'completed', summary: 'I finished too', lease_epoch: 1 });
    expect(errorCode(late)).toBe('LEASE_LOST');
    expect(signalsOf(late.structuredContent as { signals?: Signal[] }, 'lease_lost')[0]?.run_id).toBe(sub.run_id);
    const evidence = await w1.call('attach_evidence', { run_id: sub.run_id, kind: 'log', content: 'x' });
    expect(errorCode(evidence)).toBe('LEASE_LOST');
    const view = await coord.ok<{ run: RunView }>('get_run', { run_id: sub.run_id });
    expect(view.run).toMatchObject({ state: 'leased', owner_id: w2Id, result: null });

    // the current owner with a wrong epoch is refused too
    const wrongEpoch = await w2.call('submit_result', { run_id: sub.run_id, outcome: 'completed', summary: 's', lease_epoch: 1 });
    expect(errorCode(wrongEpoch)).toBe('LEASE_LOST');
    await w2.ok('submit_result', { run_id: sub.run_id, outcome: 'completed', summary: 's', lease_epoch: 2 });
  });

  it('fencing: a late result whose epoch is still current is accepted when nobody took the run over', async () => {
    const sub = await submit({});
    const a = await w1.ok<Take>('take_task');
    t.clock.advance(61_000);
    // someone else's call (a write: its sign of life) runs expiry first: w1's run is requeued, attempt counted
    await coord.ok('heartbeat', {});
    expect((await coord.ok<{ run: RunView }>('get_run', { run_id: sub.run_id })).run).toMatchObject({ state: 'queued', state_reason: 'owner_stale', last_owner_id: w1Id, lease_epoch: 1 });

    const out = await w1.ok<{ run: RunView; late: boolean; signals?: Signal[] }>('submit_result', { run_id: sub.run_id, outcome: 'completed', summary: 'finished offline', lease_epoch: a.lease_epoch });
    expect(out.late).toBe(true);
    expect(out.run).toMatchObject({ state: 'completed', result: { by: w1Id, epoch: 1 } });
    expect((await w2.ok<Take>('take_task')).run).toBeNull();
  });

  it('lease renewal: signs of life extend run leases; a silent owner loses the run at once with the attempt counted', async () => {
    const sub = await submit({ max_attempts: 2 });
    await w1.ok<Take>('take_task');
    for (let i = 0; i < 3; i++) {
      t.clock.advance(40_000);
      const hb = await w1.ok<{ renewed: { runs: string[] } }>('heartbeat', {});
      expect(hb.renewed.runs).toEqual([sub.run_id]);
    }
    t.clock.advance(61_000);
    const second = await w2.ok<Take>('take_task');
    expect(second.run).toMatchObject({ run_id: sub.run_id, attempts: 2 });
    t.clock.advance(61_000);
    await coord.ok('heartbeat', {});
    const view = await coord.ok<{ run: RunView }>('get_run', { run_id: sub.run_id });
    expect(view.run).toMatchObject({ state: 'dead', dead_reason: 'max_attempts' });
    const queue = JSON.parse(((await coord.client.readResource({ uri: 'fleet://queue' })).contents[0] as { text: string }).text);
    expect(queue.lease_expiries).toBe(2);
  });

  it('on_stale escalate blocks the run with reason owner_stale; the blocked run no longer lapses', async () => {
    const sub = await submit({ on_stale: 'escalate' });
    await w1.ok<Take>('take_task');
    t.clock.advance(61_000);
    await coord.ok('heartbeat', {});
    const view = await coord.ok<{ run: RunView }>('get_run', { run_id: sub.run_id });
    expect(view.run).toMatchObject({ state: 'blocked', state_reason: 'owner_stale', owner_id: w1Id });
    const events = await coord.ok<{ events: { type: string }[] }>('list_events', { run_id: sub.run_id });
    expect(events.events.map((e) => e.type)).toContain('run.escalated');
    t.clock.advance(600_000);
    await coord.ok('heartbeat', {});
    expect((await coord.ok<{ run: RunView }>('get_run', { run_id: sub.run_id })).run.state).toBe('blocked');
  });

  it('cancel_task: own submissions only; the holder gets a cancel signal and then LEASE_LOST', async () => {
    const sub = await submit({});
    const took = await w1.ok<Take>('take_task');
    const notMine = await w2.call('cancel_task', { run_id: sub.run_id, reason: 'no' });
    expect(errorCode(notMine)).toBe('FORBIDDEN');
    const out = await coord.ok<{ run: RunView; revoked_owner: string }>('cancel_task', { run_id: sub.run_id, reason: 'no longer needed' });
    expect(out).toMatchObject({ run: { state: 'cancelled' }, revoked_owner: w1Id });
    const hb = await w1.ok<{ signals?: Signal[] }>('heartbeat', {});
    expect(signalsOf(hb, 'cancel')[0]).toMatchObject({ run_id: sub.run_id, payload: { reason: 'no longer needed' } });
    const late = await w1.call('submit_result', { run_id: sub.run_id, outcome: 'completed', summary: 'x', lease_epoch: took.lease_epoch });
    expect(errorCode(late)).toBe('LEASE_LOST');
  });

  it('reassign_run revokes the lease, bumps the epoch, signals lease_lost and run_assigned', async () => {
    const sub = await submit({});
    const took = await w1.ok<Take>('take_task');
    await w1.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/x/**' }], run_id: sub.run_id });
    await w1.ok('heartbeat', { run_id: sub.run_id, status: 'working' });
    expect((await w1.ok<{ agent: { current_run_id: string | null } }>('whoami')).agent.current_run_id).toBe(sub.run_id);
    const out = await op.ok<{ run: RunView; revoked_owner: string; released_claims: string[] }>('reassign_run', { run_id: sub.run_id, to_agent: w2Id, reason: 'w1 is needed elsewhere' });
    expect(out.revoked_owner).toBe(w1Id);
    expect(out.released_claims).toHaveLength(1);
    expect(out.run).toMatchObject({ state: 'queued', to_agent: w2Id, lease_epoch: 2 });
    const stale = await w1.call('submit_result', { run_id: sub.run_id, outcome: 'completed', summary: 'x', lease_epoch: took.lease_epoch });
    expect(errorCode(stale)).toBe('LEASE_LOST');
    expect(signalsOf(stale.structuredContent as { signals?: Signal[] }, 'lease_lost')).toHaveLength(1);
    // the old owner's self-reported current run no longer points at a run it lost
    expect((await w1.ok<{ agent: { current_run_id: string | null } }>('whoami')).agent.current_run_id).toBeNull();
    const w2take = await w2.ok<Take>('take_task');
    expect(w2take.run).toMatchObject({ run_id: sub.run_id, lease_epoch: 3, owner_id: w2Id });
    expect(signalsOf(w2take, 'run_assigned')).toHaveLength(1);
  });

  it('cancel_run (operator) cancels any open run and tells owner and submitter', async () => {
    const sub = await submit({});
    await w1.ok<Take>('take_task');
    const out = await op.ok<{ run: RunView }>('cancel_run', { run_id: sub.run_id, reason: 'wrong approach' });
    expect(out.run.state).toBe('cancelled');
    expect(signalsOf(await w1.ok('whoami'), 'cancel')).toHaveLength(1);
    expect(signalsOf(await coord.ok('whoami'), 'run_finished')[0]?.payload).toMatchObject({ outcome: 'cancelled' });
  });

  it('start_run leases at once; fleet://runs/{id} shows claims, evidence, timeline and result', async () => {
    const started = await w1.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'refactor the parser', type: 'refactor' });
    expect(started.lease_epoch).toBe(1);
    await w1.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/parser/**' }], run_id: started.run_id });
    const art = await w1.ok<{ artifact_id: string }>('attach_evidence', { run_id: started.run_id, kind: 'patch', content: 'diff --git a b' });
    const read = async () => JSON.parse(((await coord.client.readResource({ uri: `fleet://runs/${started.run_id}` })).contents[0] as { text: string }).text);
    const during = await read();
    expect(during.run).toMatchObject({ state: 'leased', owner_id: w1Id, attempts: 1 });
    expect(during.claims.map((c: { pattern: string }) => c.pattern)).toEqual(['src/parser/**']);
    expect(during.evidence.map((e: { id: string }) => e.id)).toEqual([art.artifact_id]);
    await w1.ok('submit_result', { run_id: started.run_id, outcome: 'completed', summary: 'parser split in two', evidence: [art.artifact_id] });
    const after = await read();
    expect(after.run.result).toMatchObject({ outcome: 'completed', summary: 'parser split in two' });
    expect(after.claims).toEqual([]);
    const types: string[] = after.timeline.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('run.started');
    expect(types).toEqual(expect.arrayContaining(['artifact.attached', 'run.completed', 'claim.released']));
    expect(types.indexOf('artifact.attached')).toBeLessThan(types.indexOf('run.completed'));

    const templates = await coord.client.listResourceTemplates();
    expect(templates.resourceTemplates.map((r) => r.uriTemplate)).toContain('fleet://runs/{run_id}');
    const listed = await coord.client.listResources();
    expect(listed.resources.map((r) => r.uri)).toContain(`fleet://runs/${started.run_id}`);
    const completion = await coord.client.complete({ ref: { type: 'ref/resource', uri: 'fleet://runs/{run_id}' }, argument: { name: 'run_id', value: started.run_id.slice(0, 6) } });
    expect(completion.completion.values).toContain(started.run_id);
  });

  it('evidence ids must belong to the run', async () => {
    const a = await w1.ok<{ run_id: string }>('start_run', { title: 'a' });
    const b = await w1.ok<{ run_id: string }>('start_run', { title: 'b' });
    const art = await w1.ok<{ artifact_id: string }>('attach_evidence', { run_id: a.run_id, kind: 'log', content: 'x' });
    const wrong = await w1.call('submit_result', { run_id: b.run_id, outcome: 'completed', summary: 's', evidence: [art.artifact_id] });
    expect(errorCode(wrong)).toBe('INVALID_INPUT');
    const ghost = await w1.call('submit_result', { run_id: b.run_id, outcome: 'completed', summary: 's', evidence: ['art_doesnotexist'] });
    expect(errorCode(ghost)).toBe('NOT_FOUND');
  });

  it('take_task long-polls: woken by a submit, and returns at once on abort', async () => {
    const waiting = w1.ok<Take>('take_task', { wait_seconds: 20 });
    await new Promise((r) => setTimeout(r, 100));
    const sub = await submit({});
    const took = await waiting;
    expect(took.run?.run_id).toBe(sub.run_id);

    const controller = new AbortController();
    const aborted = w2.client.callTool({ name: 'take_task', arguments: { wait_seconds: 60 } }, undefined, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await expect(aborted).rejects.toThrow();
    // the aborted poll leased nothing: a later submit is still there for w2
    const next = await submit({ title: 'after abort' });
    expect((await w2.ok<Take>('take_task')).run?.run_id).toBe(next.run_id);
  });

  it('list_runs filters by state, owner and parent, and pages with a cursor', async () => {
    const parent = await submit({ title: 'parent' });
    const kids: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.advance(10);
      kids.push((await submit({ title: `child ${i}`, parent_run_id: parent.run_id })).run_id);
    }
    const page1 = await coord.ok<{ runs: RunView[]; next_cursor: string | null }>('list_runs', { parent_run_id: parent.run_id, limit: 3 });
    expect(page1.runs.map((r) => r.run_id)).toEqual(kids.slice(2).reverse());
    const page2 = await coord.ok<{ runs: RunView[]; next_cursor: string | null }>('list_runs', { parent_run_id: parent.run_id, limit: 3, cursor: page1.next_cursor });
    expect(page2.runs.map((r) => r.run_id)).toEqual(kids.slice(0, 2).reverse());
    expect(page2.next_cursor).toBeNull();
    await w1.ok<Take>('take_task');
    const mine = await w1.ok<{ runs: RunView[] }>('list_runs', { owner: 'me', state: ['leased'] });
    expect(mine.runs).toHaveLength(1);
    const bad = await coord.call('list_runs', { cursor: 'garbage' });
    expect(errorCode(bad)).toBe('INVALID_INPUT');
  });
});
