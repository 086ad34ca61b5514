import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveBlocker } from '../../src/services/blockers/resolve.js';
import { connectClient, errorCode, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';

interface Signal {
  kind: string;
  run_id: string | null;
  message: string;
  payload: Record<string, unknown>;
}
interface BlockerOut {
  blocker_id: string;
  state: string;
  kind: string;
  origin: string;
  question: string;
  options: string[];
  context: string | null;
  evidence: string[];
  decision: string | null;
  resolution: string | null;
  chosen_option: string | null;
  resolved_by: string | null;
  agent_liveness: string | null;
}
interface Resolved {
  blocker: BlockerOut;
  run: { run_id: string; state: string; owner_id: string | null; lease_epoch: number };
  effect: string;
}
interface Awaited {
  changed: boolean;
  seq: number;
  event: { type: string } | null;
  blocker?: BlockerOut;
  run?: { state: string; open_blocker_id: string | null; redirected_instructions: { instructions: string } | null };
  next: string;
  signals?: Signal[];
}

const signalsOf = (result: { signals?: Signal[] }, kind: string) => (result.signals ?? []).filter((s) => s.kind === kind);

describe('blockers and operator decisions over MCP', () => {
  let t: TestApp;
  let agent: TestClient;
  let other: TestClient;
  let op: TestClient;
  let agentId: string;
  let otherId: string;

  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    agent = await connectClient(t.app);
    other = await connectClient(t.app);
    op = await connectClient(t.app, 'operator');
    agentId = (await agent.ok<{ agent_id: string }>('register_agent', { name: 'worker', role: 'implementer' })).agent_id;
    otherId = (await other.ok<{ agent_id: string }>('register_agent', { name: 'other', role: 'implementer' })).agent_id;
  });
  afterEach(async () => {
    for (const c of [agent, other, op]) await c.close();
    t.close();
  });

  async function blockedRun(kind = 'decision', options: string[] = ['postgres', 'sqlite']) {
    const run = await agent.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'pick a database' });
    const raised = await agent.ok<{ blocker_id: string; run: { state: string }; next: string }>('raise_blocker', {
      run_id: run.run_id,
      kind,
      question: 'Which database should the service use?',
      options,
      context: 'postgres needs ops work; sqlite is embedded',
      lease_epoch: run.lease_epoch,
    });
    expect(raised.run.state).toBe('blocked');
    expect(raised.next).toMatch(/await_update/);
    return { runId: run.run_id, epoch: run.lease_epoch, blockerId: raised.blocker_id };
  }

  it('blocker → operator answer → the agent learns it on its very next result and through await_update, and resumes', async () => {
    const { runId, blockerId, epoch } = await blockedRun();
    const open = await op.ok<{ blockers: BlockerOut[] }>('list_blockers');
    expect(open.blockers).toEqual([expect.objectContaining({ blocker_id: blockerId, state: 'open', kind: 'decision', origin: 'agent', agent_liveness: 'active' })]);
    const status = await op.ok<{ waiting: { open_blockers: number; oldest_blocker_at: string | null; open_handoffs: number } }>('fleet_status');
    expect(status.waiting).toMatchObject({ open_blockers: 1, oldest_blocker_at: new Date(t.clock.now()).toISOString(), open_handoffs: 0 });
    const resource = JSON.parse(((await op.client.readResource({ uri: 'fleet://blockers' })).contents[0] as { text: string }).text) as { blockers: BlockerOut[] };
    expect(resource.blockers.map((b) => b.blocker_id)).toEqual([blockerId]);

    // the agent waits; the operator answers from another connection while it waits
    const first = await agent.ok<Awaited>('await_update', { blocker_id: blockerId, timeout_seconds: 0 });
    expect(first).toMatchObject({ changed: false, blocker: { state: 'open' } });
    const waiting = agent.ok<Awaited>('await_update', { blocker_id: blockerId, timeout_seconds: 30, since_seq: first.seq });
    const bad = await op.call('resolve_blocker', { blocker_id: blockerId, decision: 'answer', option: 'mysql' });
    expect(errorCode(bad)).toBe('INVALID_INPUT');
    const resolved = await op.ok<Resolved>('resolve_blocker', { blocker_id: blockerId, decision: 'answer', option: 'sqlite' });
    expect(resolved).toMatchObject({ effect: 'returned_to_owner', run: { state: 'leased', owner_id: agentId, lease_epoch: epoch }, blocker: { state: 'resolved', decision: 'answer', chosen_option: 'sqlite', resolved_by: 'operator:test-operator' } });
    const woke = await waiting;
    expect(woke).toMatchObject({ changed: true, blocker: { state: 'resolved', chosen_option: 'sqlite' } });
    expect(woke.next).toContain('sqlite');
    // a caller that was not waiting when it happened learns it at once from its last seq
    const caughtUp = await op.ok<Awaited>('await_update', { blocker_id: blockerId, timeout_seconds: 60, since_seq: first.seq });
    expect(caughtUp).toMatchObject({ changed: true, event: { type: 'blocker.resolved' }, blocker: { state: 'resolved' } });
    const signal = signalsOf(woke, 'blocker_resolved')[0];
    expect(signal?.payload).toMatchObject({ blocker_id: blockerId, decision: 'answer', option: 'sqlite', run_state: 'leased' });

    // deciding twice is refused; the run finishes normally
    expect(errorCode(await op.call('resolve_blocker', { blocker_id: blockerId, decision: 'approve' }))).toBe('INVALID_STATE');
    const done = await agent.ok<{ run: { state: string } }>('submit_result', { run_id: runId, outcome: 'completed', summary: 'used sqlite', lease_epoch: epoch });
    expect(done.run.state).toBe('completed');
  });

  it('subscribers of the blocker, the blockers view and the run get notifications/resources/updated when it is decided', async () => {
    const { runId, blockerId } = await blockedRun();
    const wanted = [`fleet://blockers/${blockerId}`, 'fleet://blockers', `fleet://runs/${runId}`];
    const seen = new Set<string>();
    let done: () => void = () => {};
    const all = new Promise<void>((resolve) => (done = resolve));
    agent.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      seen.add(n.params.uri);
      if (wanted.every((u) => seen.has(u))) done();
    });
    for (const uri of wanted) await agent.client.subscribeResource({ uri });
    await op.ok('resolve_blocker', { blocker_id: blockerId, decision: 'approve' });
    await all;
    expect([...seen]).toEqual(expect.arrayContaining(wanted));
  });

  it('agents cannot resolve: the tool is not listed to them and the service refuses an agent actor', async () => {
    const { blockerId } = await blockedRun('approval', []);
    const tools = (await agent.client.listTools()).tools.map((x) => x.name);
    expect(tools).toContain('raise_blocker');
    expect(tools).not.toContain('resolve_blocker');
    expect(errorCode(await agent.call('resolve_blocker', { blocker_id: blockerId, decision: 'approve' }))).toBe('INVALID_INPUT');
    await expect(resolveBlocker(t.app.deps, { kind: 'agent', agentId }, { blocker_id: blockerId, decision: 'approve' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const still = await op.ok<{ blockers: BlockerOut[] }>('list_blockers');
    expect(still.blockers[0]?.state).toBe('open');
  });

  it('an agent cannot complete past its own open approval: it waits for the decision, then completes', async () => {
    const { runId, blockerId } = await blockedRun('approval', []);
    const early = await agent.call('submit_result', { run_id: runId, outcome: 'completed', summary: 'done anyway' });
    expect(errorCode(early)).toBe('INVALID_STATE');
    expect((early.structuredContent.error as { hint: string }).hint).toContain(blockerId);
    await op.ok('resolve_blocker', { blocker_id: blockerId, decision: 'approve' });
    const done = await agent.ok<{ run: { state: string } }>('submit_result', { run_id: runId, outcome: 'completed', summary: 'approved and done' });
    expect(done.run.state).toBe('completed');
  });

  it('one open blocker per run; a blocked run cannot be handed off; deny needs a reason', async () => {
    const { runId, blockerId } = await blockedRun();
    expect(errorCode(await agent.call('raise_blocker', { run_id: runId, kind: 'error', question: 'again?' }))).toBe('INVALID_STATE');
    expect(errorCode(await agent.call('handoff', { run_id: runId, to_role: 'reviewer', summary: 's', next_action: 'n' }))).toBe('INVALID_STATE');
    expect(errorCode(await op.call('resolve_blocker', { blocker_id: blockerId, decision: 'deny' }))).toBe('INVALID_INPUT');
    const denied = await op.ok<Resolved>('resolve_blocker', { blocker_id: blockerId, decision: 'deny', text: 'neither: use the existing cluster' });
    expect(denied.run.state).toBe('leased');
    const next = await agent.ok<{ signals?: Signal[] }>('whoami');
    expect(signalsOf(next, 'blocker_resolved')[0]?.message).toContain('denied: neither: use the existing cluster');
  });

  it('redirect stores new instructions with the run and sends a redirect signal', async () => {
    const { runId, blockerId } = await blockedRun();
    await op.ok('resolve_blocker', { blocker_id: blockerId, decision: 'redirect', text: 'Stop; write a design note first.' });
    const view = await agent.ok<Awaited>('await_update', { run_id: runId, timeout_seconds: 0 });
    expect(view.run).toMatchObject({ state: 'leased', open_blocker_id: null, redirected_instructions: { instructions: 'Stop; write a design note first.' } });
    expect(signalsOf(view, 'redirect')[0]?.payload).toMatchObject({ instructions: 'Stop; write a design note first.' });
  });

  it('reassign moves the run to another agent: the old owner is fenced off, the new one takes it', async () => {
    const { runId, blockerId, epoch } = await blockedRun();
    const out = await op.ok<Resolved>('resolve_blocker', { blocker_id: blockerId, decision: 'reassign', to_agent: otherId, text: 'other has context' });
    expect(out).toMatchObject({ effect: 'reassigned', run: { state: 'queued' }, blocker: { decision: 'reassign' } });
    const late = await agent.call('submit_result', { run_id: runId, outcome: 'completed', summary: 'x', lease_epoch: epoch });
    expect(errorCode(late)).toBe('LEASE_LOST');
    const kinds = ((late.structuredContent.signals ?? []) as Signal[]).map((s) => s.kind);
    expect(kinds).toEqual(expect.arrayContaining(['lease_lost', 'blocker_resolved']));
    const taken = await other.ok<{ run: { run_id: string } | null }>('take_task');
    expect(taken.run?.run_id).toBe(runId);
  });

  it('pause: a paused agent takes nothing and is told so; resume restores it', async () => {
    const { blockerId } = await blockedRun();
    await op.ok('submit_task', { title: 'queued work', instructions: 'do it', to_role: 'implementer' });
    const out = await op.ok<Resolved>('resolve_blocker', { blocker_id: blockerId, decision: 'pause', text: 'wait for the freeze to end' });
    expect(out.effect).toBe('returned_to_owner');
    const take = await agent.ok<{ run: unknown; reason: string; next: string; signals?: Signal[] }>('take_task');
    expect(take).toMatchObject({ run: null, reason: 'paused' });
    expect(take.next).toMatch(/paused by the operator/);
    expect(signalsOf(take, 'pause')[0]?.message).toContain('wait for the freeze to end');
    const resumed = await op.ok<{ agent: { paused: boolean }; changed: boolean }>('resume_agent', { agent_id: agentId });
    expect(resumed).toMatchObject({ agent: { paused: false }, changed: true });
    const again = await agent.ok<{ run: { title: string } | null; signals?: Signal[] }>('take_task');
    expect(again.run?.title).toBe('queued work');
    expect(signalsOf(again, 'resume')).toHaveLength(1);
    // pause_agent directly, idempotent
    expect((await op.ok<{ changed: boolean }>('pause_agent', { agent_id: otherId, reason: 'maintenance' })).changed).toBe(true);
    expect((await op.ok<{ changed: boolean }>('pause_agent', { agent_id: otherId })).changed).toBe(false);
  });

  it('cancel during work: the run is cancelled and the agent’s late writes are fenced off', async () => {
    const { runId, blockerId, epoch } = await blockedRun();
    const out = await op.ok<Resolved>('resolve_blocker', { blocker_id: blockerId, decision: 'cancel', text: 'no longer needed' });
    expect(out).toMatchObject({ effect: 'cancelled', run: { state: 'cancelled' } });
    const late = await agent.call('attach_evidence', { run_id: runId, kind: 'log', content: 'late', lease_epoch: epoch });
    expect(late.isError).toBe(true);
    expect(['LEASE_LOST', 'INVALID_STATE']).toContain(errorCode(late));
    expect(((late.structuredContent.signals ?? []) as Signal[]).map((s) => s.kind)).toContain('cancel');
  });

  it('the run of a blocker does not lapse while it waits; an owner that went silent meanwhile gets its run requeued on the decision', async () => {
    const { runId, blockerId } = await blockedRun();
    t.clock.advance(61_000); // the worker is silent past its lease while the run waits on a person
    await other.ok('heartbeat', {});
    const blocked = await op.ok<{ run: { state: string; owner_id: string } }>('get_run', { run_id: runId });
    expect(blocked.run).toMatchObject({ state: 'blocked', owner_id: agentId });
    const view = await op.ok<{ blockers: BlockerOut[] }>('list_blockers');
    expect(view.blockers[0]).toMatchObject({ blocker_id: blockerId, agent_liveness: 'stale' });
    const out = await op.ok<Resolved>('resolve_blocker', { blocker_id: blockerId, decision: 'approve' });
    expect(out).toMatchObject({ effect: 'requeued', run: { state: 'queued', owner_id: null } });
  });

  it('on_stale escalate: a silent owner’s run becomes an operator blocker showing the last heartbeat, the claims and the evidence', async () => {
    await op.ok('submit_task', { title: 'deploy the service', instructions: 'deploy', to_role: 'implementer', on_stale: 'escalate' });
    const taken = await agent.ok<{ run: { run_id: string } }>('take_task');
    const runId = taken.run.run_id;
    await agent.ok('heartbeat', { status: 'working', note: 'rolling out', run_id: runId });
    await agent.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'deploy/**' }], run_id: runId });
    const art = await agent.ok<{ artifact_id: string }>('attach_evidence', { run_id: runId, kind: 'log', content: 'step 1 ok' });
    t.clock.advance(61_000);
    await other.ok('heartbeat', {}); // a write runs expiry: the worker turns stale
    const list = await op.ok<{ blockers: BlockerOut[] }>('list_blockers');
    expect(list.blockers).toHaveLength(1);
    const b = list.blockers[0]!;
    expect(b).toMatchObject({ kind: 'error', origin: 'escalation', state: 'open', evidence: [art.artifact_id] });
    expect(b.context).toContain('Last heartbeat: 20');
    expect(b.context).toContain('deploy/**');
    expect(b.context).toContain(art.artifact_id);
    expect(b.context).toContain('Last note: rolling out');
    const resolved = await op.ok<Resolved>('resolve_blocker', { blocker_id: b.blocker_id, decision: 'reassign', to_role: 'implementer' });
    expect(resolved.run.state).toBe('queued');
  });
});
