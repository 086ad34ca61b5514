import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';

const textOf = (r: { messages: { content: { type: string; text?: string } }[] }) => r.messages.map((m) => m.content.text ?? '').join('\n');

describe('MCP prompts', () => {
  let t: TestApp;
  let agent: TestClient;
  let op: TestClient;
  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    agent = await connectClient(t.app);
    op = await connectClient(t.app, 'operator');
  });
  afterEach(async () => {
    await agent.close();
    await op.close();
    t.close();
  });

  it('lists the agent prompts to agents and adds operator-triage for the operator', async () => {
    const names = (await agent.client.listPrompts()).prompts.map((p) => p.name);
    expect(names).toEqual(['fleet-agent-guide', 'write-handoff']);
    const opNames = (await op.client.listPrompts()).prompts.map((p) => p.name);
    expect(opNames).toEqual(['fleet-agent-guide', 'write-handoff', 'operator-triage']);
    const writeHandoff = (await agent.client.listPrompts()).prompts.find((p) => p.name === 'write-handoff')!;
    expect(writeHandoff.arguments).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'run_id', required: true })]));
  });

  it('the agent guide walks through the working agreement and knows who is asking', async () => {
    const before = textOf(await agent.client.getPrompt({ name: 'fleet-agent-guide', arguments: {} }));
    expect(before).toContain('not registered yet');
    const { agent_id } = await agent.ok<{ agent_id: string }>('register_agent', { name: 'ada', role: 'implementer' });
    const text = textOf(await agent.client.getPrompt({ name: 'fleet-agent-guide', arguments: {} }));
    expect(text).toContain(`You are ada (${agent_id}), role implementer`);
    for (const step of ['claim_scope', 'heartbeat', 'attach_evidence', 'raise_blocker', 'await_update', 'handoff', 'submit_result', 'signals', 'LEASE_LOST']) {
      expect(text).toContain(step);
    }
  });

  it('write-handoff completes run ids and drafts a handoff call with the run’s evidence ids and lease epoch', async () => {
    await agent.ok('register_agent', { name: 'ada', role: 'implementer' });
    const run = await agent.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'add pagination', instructions: 'paginate /users' });
    const art = await agent.ok<{ artifact_id: string }>('attach_evidence', { run_id: run.run_id, kind: 'test-output', content: '12 passed' });
    const completion = await agent.client.complete({ ref: { type: 'ref/prompt', name: 'write-handoff' }, argument: { name: 'run_id', value: run.run_id.slice(0, 6) } });
    expect(completion.completion.values).toContain(run.run_id);
    const text = textOf(await agent.client.getPrompt({ name: 'write-handoff', arguments: { run_id: run.run_id, to: 'reviewer' } }));
    expect(text).toContain('paginate /users');
    expect(text).toContain(`${art.artifact_id}: test-output`);
    expect(text).toContain(`"run_id": "${run.run_id}", "to_role": "reviewer", "lease_epoch": ${run.lease_epoch}`);
    expect(text).toContain('failed_attempts');
    await expect(agent.client.getPrompt({ name: 'write-handoff', arguments: { run_id: 'run_nope' } })).rejects.toThrow(/NOT_FOUND/);
  });

  it('operator-triage renders what needs a decision now: open blockers, paused agents, stale agents and what they still own', async () => {
    const { agent_id } = await agent.ok<{ agent_id: string }>('register_agent', { name: 'ada', role: 'implementer' });
    const run = await agent.ok<{ run_id: string }>('start_run', { title: 'migrate the db' });
    const { blocker_id } = await agent.ok<{ blocker_id: string }>('raise_blocker', { run_id: run.run_id, kind: 'approval', question: 'May I drop the legacy table?', options: ['yes', 'no'] });
    await op.ok('pause_agent', { agent_id, reason: 'freeze' });
    const empty = textOf(await op.client.getPrompt({ name: 'operator-triage', arguments: {} }));
    expect(empty).toContain(`${blocker_id} [approval]`);
    expect(empty).toContain('May I drop the legacy table?');
    expect(empty).toContain(`fleetdeck approve ${blocker_id}`);
    expect(empty).toContain(`## 5. Paused agents (1)`);
    t.clock.advance(61_000);
    await op.ok('submit_task', { title: 'any write runs expiry', instructions: 'x', to_role: 'nobody' });
    const later = textOf(await op.client.getPrompt({ name: 'operator-triage', arguments: {} }));
    expect(later).toContain('## 2. Stale agents (1)');
    expect(later).toContain(`still owns ${run.run_id}`);
  });
});
