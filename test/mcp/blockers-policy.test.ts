import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, errorCode, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';

interface ErrorBody {
  code: string;
  message: string;
  hint?: string;
  details?: { blocker_id?: string; rule?: string };
}
const errorOf = (r: { structuredContent?: Record<string, unknown> }) => r.structuredContent?.error as ErrorBody;

describe('policy rules over MCP', () => {
  let t: TestApp;
  let agent: TestClient;
  let other: TestClient;
  let op: TestClient;

  function writePolicy(policy: unknown): void {
    writeFileSync(join(t.dir, 'policy.json'), typeof policy === 'string' ? policy : JSON.stringify(policy));
    t.clock.advance(1_000); // the file is looked at no more than once per second
  }

  async function policyEvents(): Promise<{ payload: Record<string, unknown>; subject_id: string | null }[]> {
    return (await op.ok<{ events: { payload: Record<string, unknown>; subject_id: string | null }[] }>('list_events', { types: ['policy.fired'], limit: 50 })).events;
  }

  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '600' });
    agent = await connectClient(t.app);
    other = await connectClient(t.app);
    op = await connectClient(t.app, 'operator');
    await agent.ok('register_agent', { name: 'worker', role: 'implementer' });
    await other.ok('register_agent', { name: 'other', role: 'implementer' });
  });
  afterEach(async () => {
    for (const c of [agent, other, op]) await c.close();
    t.close();
  });

  it('claims matching infra/** need approval: the rule raises an approval blocker on the run, and after approval the same claim is granted', async () => {
    writePolicy({ claims_need_approval: [{ pattern: 'infra/**', reason: 'production infrastructure' }] });
    const run = await agent.ok<{ run_id: string }>('start_run', { title: 'bump the instance size' });
    expect((await agent.ok<{ granted: boolean }>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }], run_id: run.run_id })).granted).toBe(true);

    const noRun = await agent.call('claim_scope', { scopes: [{ kind: 'path', pattern: 'infra/prod/main.tf' }] });
    expect(errorCode(noRun)).toBe('FORBIDDEN');
    expect(errorOf(noRun).hint).toMatch(/run_id/);

    const scopes = [{ kind: 'path', pattern: 'infra/prod/*.tf' }];
    const refused = await agent.call('claim_scope', { scopes, run_id: run.run_id });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const blockerId = errorOf(refused).details?.blocker_id;
    expect(blockerId).toMatch(/^blk_/);
    expect(errorOf(refused).hint).toContain(`await_update with blocker_id ${blockerId}`);
    expect((await op.ok<{ run: { state: string } }>('get_run', { run_id: run.run_id })).run.state).toBe('blocked');
    // asking again while it waits names the same blocker and raises no other
    const again = await agent.call('claim_scope', { scopes, run_id: run.run_id });
    expect(errorOf(again).details?.blocker_id).toBe(blockerId);
    const open = await op.ok<{ blockers: { blocker_id: string; kind: string; origin: string; policy_rule: string; context: string }[] }>('list_blockers');
    expect(open.blockers).toHaveLength(1);
    expect(open.blockers[0]).toMatchObject({ blocker_id: blockerId, kind: 'approval', origin: 'policy', policy_rule: 'claims_need_approval' });
    expect(open.blockers[0]!.context).toContain('production infrastructure');

    const events = await policyEvents();
    expect(events.map((e) => e.payload.outcome)).toEqual(['refused', 'blocker_raised']);
    expect(events[1]).toMatchObject({ subject_id: blockerId, payload: { rule: 'claims_need_approval' } });

    await op.ok('resolve_blocker', { blocker_id: blockerId, decision: 'approve', text: 'ok for this change' });
    const granted = await agent.ok<{ granted: boolean; claims: { pattern: string }[] }>('claim_scope', { scopes, run_id: run.run_id });
    expect(granted).toMatchObject({ granted: true, claims: [{ pattern: 'infra/prod/*.tf' }] });
    // the approval was for that agent: another one still needs its own
    const otherRun = await other.ok<{ run_id: string }>('start_run', { title: 'other infra change' });
    expect(errorCode(await other.call('claim_scope', { scopes: [{ kind: 'path', pattern: 'infra/dev/*.tf' }], run_id: otherRun.run_id }))).toBe('FORBIDDEN');
  });

  it('runs of type deploy need an approval before a completed result: the first submit raises it, the same submit succeeds after approval', async () => {
    writePolicy({ types_need_approval_before_complete: ['deploy'] });
    const run = await agent.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'deploy v2', type: 'deploy' });
    const art = await agent.ok<{ artifact_id: string }>('attach_evidence', { run_id: run.run_id, kind: 'log', content: 'canary healthy' });
    const submit = { run_id: run.run_id, outcome: 'completed', summary: 'v2 rolled out to 100%', evidence: [art.artifact_id], lease_epoch: run.lease_epoch };
    const first = await agent.call('submit_result', submit);
    expect(errorCode(first)).toBe('INVALID_STATE');
    const blockerId = errorOf(first).details!.blocker_id!;
    expect(errorOf(first).hint).toContain('submit_result again');
    const waiting = await agent.ok<{ blocker: { kind: string; context: string; evidence: string[]; state: string } }>('await_update', { blocker_id: blockerId, timeout_seconds: 0 });
    expect(waiting.blocker).toMatchObject({ kind: 'approval', state: 'open', evidence: [art.artifact_id] });
    expect(waiting.blocker.context).toContain('v2 rolled out to 100%');
    await op.ok('resolve_blocker', { blocker_id: blockerId, decision: 'approve' });
    const done = await agent.ok<{ run: { state: string } }>('submit_result', submit);
    expect(done.run.state).toBe('completed');
    expect((await policyEvents()).at(-1)?.payload).toMatchObject({ rule: 'types_need_approval_before_complete', outcome: 'blocker_raised', run_type: 'deploy' });

    // a failure needs no approval; other types are not governed
    const failing = await agent.ok<{ run_id: string }>('start_run', { title: 'deploy v3', type: 'deploy' });
    expect((await agent.ok<{ run: { state: string } }>('submit_result', { run_id: failing.run_id, outcome: 'failed', summary: 'canary failed' })).run.state).toBe('failed');
    const plain = await agent.ok<{ run_id: string }>('start_run', { title: 'docs', type: 'docs' });
    expect((await agent.ok<{ run: { state: string } }>('submit_result', { run_id: plain.run_id, outcome: 'completed', summary: 'ok' })).run.state).toBe('completed');
  });

  it('at most N leased runs per agent: take_task, start_run and accept_handoff refuse with INVALID_STATE and a policy event', async () => {
    writePolicy({ max_leased_runs_per_agent: 1 });
    const held = await agent.ok<{ run_id: string }>('start_run', { title: 'first' });
    await op.ok('submit_task', { title: 'queued', instructions: 'x', to_role: 'implementer' });
    const take = await agent.call('take_task', {});
    expect(errorCode(take)).toBe('INVALID_STATE');
    expect(errorOf(take).message).toContain('at most 1');
    expect(errorOf(take).hint).toContain(held.run_id);
    expect(errorCode(await agent.call('start_run', { title: 'second' }))).toBe('INVALID_STATE');
    const theirs = await other.ok<{ run_id: string }>('start_run', { title: 'theirs' });
    const offered = await other.ok<{ handoff_id: string }>('handoff', { run_id: theirs.run_id, to_role: 'implementer', summary: 's', next_action: 'n' });
    expect(errorCode(await agent.call('accept_handoff', { handoff_id: offered.handoff_id }))).toBe('INVALID_STATE');
    expect((await policyEvents()).map((e) => e.payload.action)).toEqual(['take_task', 'start_run', 'accept_handoff']);
    await agent.ok('submit_result', { run_id: held.run_id, outcome: 'completed', summary: 'done' });
    expect((await agent.ok<{ run: { title: string } | null }>('take_task')).run?.title).toBe('queued');
  });

  it('an invalid policy file fails closed with a clear error until it is fixed', async () => {
    writePolicy('{ "claims_need_approval": [ { "pattern": "infra/**" } ');
    const refused = await agent.call('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }] });
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(errorOf(refused).message).toContain('policy.json is invalid');
    writePolicy({ claims_need_approval: [{ pattern: 'infra/**' }] });
    expect((await agent.ok<{ granted: boolean }>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }] })).granted).toBe(true);
  });
});
