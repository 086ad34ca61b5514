/**
 * Adversarial checks of SPEC §3 across concepts: no acting as another agent through any argument,
 * fencing of every write an agent makes on a run, bad input changing nothing, and signals.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, errorCode, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';
import { watchWrites, type WriteWatch } from '../helpers/write-watch.js';

interface Signal {
  kind: string;
  run_id: string | null;
  payload: Record<string, unknown>;
}
interface Take {
  run: { run_id: string; owner_id: string; lease_epoch: number } | null;
  lease_epoch?: number;
}

const signalsOf = (result: { signals?: Signal[] }, kind: string) => (result.signals ?? []).filter((s) => s.kind === kind);

describe('SPEC §3 under adversarial use', () => {
  let t: TestApp;
  let coord: TestClient;
  let w1: TestClient;
  let w2: TestClient;
  let op: TestClient;
  let w1Id: string;
  let w2Id: string;
  let watcher: WriteWatch;

  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    coord = await connectClient(t.app);
    w1 = await connectClient(t.app);
    w2 = await connectClient(t.app);
    op = await connectClient(t.app, 'operator');
    await coord.ok('register_agent', { name: 'coordinator', role: 'coordinator' });
    w1Id = (await w1.ok<{ agent_id: string }>('register_agent', { name: 'worker-1', role: 'implementer' })).agent_id;
    w2Id = (await w2.ok<{ agent_id: string }>('register_agent', { name: 'worker-2', role: 'implementer' })).agent_id;
    // sees every commit to the fleet's database, on either engine
    watcher = await watchWrites(t);
  });
  afterEach(async () => {
    await watcher.close();
    for (const c of [coord, w1, w2, op]) await c.close();
    t.close();
  });

  const dataVersion = () => watcher.version();
  const lastSeq = () => t.app.deps.store.read(async (tx) => await tx.events.lastSeq());
  const submit = (args: Record<string, unknown> = {}) =>
    coord.ok<{ run_id: string }>('submit_task', { title: 'implement X', instructions: 'do X', to_role: 'implementer', ...args });

  /** w1 takes a run, falls silent past its lease, w2 takes the run over (epoch 2). */
  async function runMovedOn(): Promise<string> {
    const sub = await submit();
    expect((await w1.ok<Take>('take_task')).run?.run_id).toBe(sub.run_id);
    t.clock.advance(61_000);
    const b = await w2.ok<Take>('take_task');
    expect(b.run).toMatchObject({ run_id: sub.run_id, owner_id: w2Id, lease_epoch: 2 });
    return sub.run_id;
  }

  it('a stale owner whose run moved on gets LEASE_LOST from every write on the run, and nothing is written', async () => {
    const runId = await runMovedOn();
    // w1's first call after its silence records its sign of life; measure after it
    await w1.ok('whoami');
    const seq = await lastSeq();
    const writes: [string, Record<string, unknown>][] = [
      ['heartbeat', { run_id: runId, note: 'still on it' }],
      ['attach_evidence', { run_id: runId, kind: 'log', content: 'x' }],
      ['handoff', { run_id: runId, to_role: 'reviewer', summary: 's', next_action: 'n' }],
      ['raise_blocker', { run_id: runId, kind: 'decision', question: 'q?' }],
      ['submit_result', { run_id: runId, outcome: 'completed', summary: 'done' }],
      ['claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }], run_id: runId }],
    ];
    for (const [tool, args] of writes) {
      const out = await w1.call(tool, args);
      expect(out.isError, tool).toBe(true);
      expect(['LEASE_LOST', 'FORBIDDEN'], `${tool}: ${errorCode(out)}`).toContain(errorCode(out));
    }
    expect(await lastSeq()).toBe(seq);
    const view = await coord.ok<{ run: { state: string; owner_id: string; result: unknown } }>('get_run', { run_id: runId });
    expect(view.run).toMatchObject({ state: 'leased', owner_id: w2Id, result: null });
    const events = await coord.ok<{ events: { type: string; agent_id: string | null }[] }>('list_events', { run_id: runId });
    expect(events.events.filter((e) => e.type === 'agent.heartbeat' && e.agent_id === w1Id)).toEqual([]);
  });

  it('no tool lets an agent act on another agent\'s run, claim, handoff or submission', async () => {
    const sub = await submit();
    await w2.ok<Take>('take_task');
    const claim = await w2.ok<{ claims: { claim_id: string }[] }>('claim_scope', { scopes: [{ kind: 'path', pattern: 'lib/**' }], run_id: sub.run_id });
    const offered = await w2.ok<{ handoff_id: string }>('handoff', { run_id: sub.run_id, to_role: 'reviewer', summary: 's', next_action: 'n' });
    const seq = await lastSeq();
    const attempts: [string, Record<string, unknown>][] = [
      ['heartbeat', { run_id: sub.run_id }],
      ['release_scope', { claim_ids: [claim.claims[0]!.claim_id] }],
      ['withdraw_handoff', { handoff_id: offered.handoff_id }],
      ['accept_handoff', { handoff_id: offered.handoff_id }],
      ['decline_handoff', { handoff_id: offered.handoff_id, reason: 'no' }],
      ['cancel_task', { run_id: sub.run_id, reason: 'mine now' }],
      ['attach_evidence', { run_id: sub.run_id, kind: 'log', content: 'x' }],
      ['submit_result', { run_id: sub.run_id, outcome: 'completed', summary: 'x' }],
    ];
    for (const [tool, args] of attempts) {
      const out = await w1.call(tool, args);
      expect(out.isError, `${tool} succeeded`).toBe(true);
    }
    expect(await lastSeq()).toBe(seq);
  });

  it('operator tools are neither listed to agents nor callable by them', async () => {
    const names = (await w1.client.listTools()).tools.map((tool) => tool.name);
    for (const tool of ['resolve_blocker', 'pause_agent', 'resume_agent', 'reassign_run', 'cancel_run', 'requeue_run', 'force_release', 'list_blockers']) {
      expect(names).not.toContain(tool);
      const out = await w1.call(tool, {});
      expect(out.isError, tool).toBe(true);
    }
  });

  it('bad input to every write tool is refused with a code and a hint and changes nothing in the database', async () => {
    const sub = await submit();
    const took = await w1.ok<Take>('take_task');
    const runId = took.run!.run_id;
    expect(runId).toBe(sub.run_id);
    const long = 'x'.repeat(40_000);
    const many = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
    const bad: [string, Record<string, unknown>][] = [
      ['register_agent', { name: long, role: 'r' }],
      ['heartbeat', { progress: 2 }],
      ['heartbeat', { note: long }],
      ['submit_task', { title: 't', instructions: long, to_role: 'implementer' }],
      ['submit_task', { title: 't', instructions: 'i', to_role: 'implementer', expected_evidence: many(500, (i) => `k${i}`) }],
      ['take_task', { wait_seconds: 1_000 }],
      ['start_run', { title: '' }],
      ['claim_scope', { scopes: many(5_000, (i) => ({ kind: 'path', pattern: `a/${i}` })) }],
      ['claim_scope', { scopes: [{ kind: 'nope', pattern: 'a' }] }],
      ['check_scope', { scopes: [] }],
      ['release_scope', { claim_ids: many(5_000, (i) => `clm_${i}`) }],
      ['attach_evidence', { run_id: runId, kind: 'log', content: 'x'.repeat(LIMIT_BYTES + 10) }],
      ['submit_result', { run_id: runId, outcome: 'completed', summary: 's', evidence: many(5_000, (i) => `art_${i}`) }],
      ['submit_result', { run_id: runId, outcome: 'maybe', summary: 's' }],
      ['handoff', { run_id: runId, to_role: 'reviewer', summary: 's', next_action: 'n', changed_files: many(50_000, (i) => `f${i}`) }],
      ['handoff', { run_id: runId, to_role: 'reviewer', summary: long, next_action: 'n' }],
      ['accept_handoff', { handoff_id: 'nope' }],
      ['decline_handoff', { handoff_id: 'hof_x' }],
      ['raise_blocker', { run_id: runId, kind: 'decision', question: 'q', options: many(5_000, (i) => `o${i}`) }],
      ['await_update', { run_id: runId, timeout_seconds: 1_000 }],
      ['cancel_task', { run_id: runId }],
    ];
    // op calls too: operator tools with bad input
    const badOp: [string, Record<string, unknown>][] = [
      ['resolve_blocker', { blocker_id: 'blk_x', decision: 'maybe' }],
      ['force_release', { claim_ids: many(5_000, (i) => `clm_${i}`), reason: 'r' }],
      ['reassign_run', { run_id: runId }],
      ['pause_agent', { agent_id: w1Id, reason: long }],
    ];
    await w1.ok('whoami'); // settle w1's sign of life
    const version = await dataVersion();
    const seq = await lastSeq();
    for (const [tool, args] of bad) {
      const out = await w1.call(tool, args);
      expect(out.isError, tool).toBe(true);
      const error = (out.structuredContent as { error: { code: string; hint?: string } }).error;
      expect(['INVALID_INPUT', 'TOO_LARGE'], `${tool}: ${error.code}`).toContain(error.code);
      expect(error.hint, tool).toBeTruthy();
    }
    for (const [tool, args] of badOp) {
      const out = await op.call(tool, args);
      expect(out.isError, tool).toBe(true);
      expect(['INVALID_INPUT', 'TOO_LARGE'], tool).toContain(errorCode(out));
    }
    expect(await lastSeq()).toBe(seq);
    expect(await dataVersion()).toBe(version);
  });

  it('a result is accepted at most once; a second one (any outcome) changes nothing', async () => {
    await submit();
    const took = await w1.ok<Take>('take_task');
    await w1.ok('submit_result', { run_id: took.run!.run_id, outcome: 'completed', summary: 'done', lease_epoch: took.lease_epoch });
    const seq = await lastSeq();
    for (const outcome of ['completed', 'failed']) {
      const again = await w1.call('submit_result', { run_id: took.run!.run_id, outcome, summary: 'again', retryable: true });
      expect(again.isError).toBe(true);
    }
    const op2 = await op.call('submit_result', { run_id: took.run!.run_id, outcome: 'failed', summary: 'operator' });
    expect(op2.isError).toBe(true);
    expect(await lastSeq()).toBe(seq);
  });

  it('a lapsed-but-current-epoch result from the owner is accepted when its own call finds the lapse', async () => {
    const sub = await submit();
    const took = await w1.ok<Take>('take_task');
    t.clock.advance(120_000); // nobody else writes meanwhile
    const out = await w1.ok<{ late: boolean; run: { state: string } }>('submit_result', { run_id: sub.run_id, outcome: 'completed', summary: 'done', lease_epoch: took.lease_epoch });
    expect(out).toMatchObject({ late: true, run: { state: 'completed' } });
  });

  it('TTL bounds the wait before a run starts: a started run that is retried or requeued is not dead-lettered as expired', async () => {
    const retried = await submit({ ttl_seconds: 30, max_attempts: 3 });
    const first = await w1.ok<Take>('take_task');
    expect(first.run?.run_id).toBe(retried.run_id);
    t.clock.advance(50_000); // working past the TTL
    await w1.ok('submit_result', { run_id: retried.run_id, outcome: 'failed', summary: 'flaky network', retryable: true, lease_epoch: first.lease_epoch });
    t.clock.advance(11 * 60_000); // any backoff is over
    const second = await w2.ok<Take>('take_task');
    expect(second.run).toMatchObject({ run_id: retried.run_id, lease_epoch: 2 });
    await w2.ok('submit_result', { run_id: retried.run_id, outcome: 'completed', summary: 'ok', lease_epoch: second.lease_epoch });

    const abandoned = await submit({ ttl_seconds: 30 });
    expect((await w1.ok<Take>('take_task')).run?.run_id).toBe(abandoned.run_id);
    t.clock.advance(61_000); // w1 falls silent past its 60 s lease, and past the TTL
    const taken = await w2.ok<Take>('take_task');
    expect(taken.run).toMatchObject({ run_id: abandoned.run_id, owner_id: w2Id });

    // a run nobody started within its TTL still dies as expired
    const never = await submit({ ttl_seconds: 30, to_role: 'nobody' });
    t.clock.advance(31_000);
    await coord.ok('heartbeat', {});
    const dead = await coord.ok<{ run: { state: string; dead_reason: string } }>('get_run', { run_id: never.run_id });
    expect(dead.run).toMatchObject({ state: 'dead', dead_reason: 'expired' });
  });

  it('a blocked run keeps its owner and lease while its owner waits on a person (await_update keeps it alive)', async () => {
    const sub = await submit();
    await w1.ok<Take>('take_task');
    const blk = await w1.ok<{ blocker_id: string }>('raise_blocker', { run_id: sub.run_id, kind: 'approval', question: 'may I drop the table?' });
    for (let i = 0; i < 5; i++) {
      t.clock.advance(50_000);
      await w1.ok('await_update', { blocker_id: blk.blocker_id, timeout_seconds: 0 });
    }
    const resolved = await op.ok<{ run: { state: string; owner_id: string }; effect: string }>('resolve_blocker', { blocker_id: blk.blocker_id, decision: 'approve' });
    expect(resolved).toMatchObject({ effect: 'returned_to_owner', run: { state: 'leased', owner_id: w1Id } });
    const hb = await w1.ok<{ signals?: Signal[] }>('heartbeat', {});
    expect(signalsOf(hb, 'blocker_resolved')[0]?.payload).toMatchObject({ decision: 'approve' });
  });

  it('cancelling a run with an offered handoff closes the handoff in the same transaction', async () => {
    const sub = await submit();
    await w1.ok<Take>('take_task');
    const offered = await w1.ok<{ handoff_id: string }>('handoff', { run_id: sub.run_id, to_agent: w2Id, summary: 's', next_action: 'n' });
    await op.ok('cancel_run', { run_id: sub.run_id, reason: 'scrapped' });
    const seen = await t.app.deps.store.read(async (tx) => await tx.handoffs.get(offered.handoff_id));
    expect(seen?.state).toBe('withdrawn');
  });

  it('cancelling a blocked run closes its blocker in the same transaction', async () => {
    const sub = await submit();
    await w1.ok<Take>('take_task');
    const blk = await w1.ok<{ blocker_id: string }>('raise_blocker', { run_id: sub.run_id, kind: 'decision', question: 'A or B?' });
    await op.ok('cancel_run', { run_id: sub.run_id, reason: 'scrapped' });
    const seen = await t.app.deps.store.read(async (tx) => await tx.blockers.get(blk.blocker_id));
    expect(seen?.state).not.toBe('open');
  });

  it('reassigning a run with an offered handoff withdraws the offer at once; the target is told', async () => {
    const sub = await submit();
    await w1.ok<Take>('take_task');
    const offered = await w1.ok<{ handoff_id: string }>('handoff', { run_id: sub.run_id, to_agent: w2Id, summary: 's', next_action: 'n' });
    await op.ok('reassign_run', { run_id: sub.run_id, to_role: 'implementer', reason: 'rebalance' });
    const seen = await t.app.deps.store.read(async (tx) => await tx.handoffs.get(offered.handoff_id));
    expect(seen?.state).toBe('withdrawn');
    const hb = await w2.ok<{ signals?: Signal[] }>('heartbeat', {});
    expect(signalsOf(hb, 'handoff_withdrawn')).toHaveLength(1);
  });

  it('an owner closing its blocked run closes the open blocker in the same transaction', async () => {
    const sub = await submit();
    const took = await w1.ok<Take>('take_task');
    const blk = await w1.ok<{ blocker_id: string }>('raise_blocker', { run_id: sub.run_id, kind: 'decision', question: 'A or B?' });
    await w1.ok('submit_result', { run_id: sub.run_id, outcome: 'failed', summary: 'gave up waiting', lease_epoch: took.lease_epoch });
    const seen = await t.app.deps.store.read(async (tx) => await tx.blockers.get(blk.blocker_id));
    expect(seen?.state).toBe('obsolete');
  });

  it('heartbeat naming its own blocked or handed-off run is accepted', async () => {
    const sub = await submit();
    await w1.ok<Take>('take_task');
    await w1.ok('raise_blocker', { run_id: sub.run_id, kind: 'decision', question: 'A or B?' });
    const hb = await w1.ok<{ liveness: string }>('heartbeat', { run_id: sub.run_id, note: 'waiting on the operator' });
    expect(hb.liveness).toBe('active');
  });
});

const LIMIT_BYTES = 10 * 1024 * 1024;
