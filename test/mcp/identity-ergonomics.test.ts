import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, errorCode, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';
import { sweepOnce } from '../../src/services/sweep.js';

interface Who {
  agent: { status: string; current_run_id: string | null };
}

describe('identity ergonomics', () => {
  let t: TestApp;
  let c: TestClient;
  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    c = await connectClient(t.app);
  });
  afterEach(async () => {
    await c.close();
    t.close();
  });

  it('register_agent with agent_id alone resumes the identity (the same OS user holds its token)', async () => {
    const reg = await c.ok<{ agent_id: string }>('register_agent', { name: 'erin', role: 'implementer' });
    const restarted = await connectClient(t.app);
    const resumed = await restarted.ok<{ agent_id: string; resumed: boolean; token?: string; agent: { name: string; role: string } }>('register_agent', {
      agent_id: reg.agent_id,
    });
    expect(resumed).toMatchObject({ agent_id: reg.agent_id, resumed: true, agent: { name: 'erin', role: 'implementer' } });
    expect(resumed.token).toBeUndefined();
    await restarted.close();
  });

  it('register_agent without agent_id needs name and role, and says so', async () => {
    const result = await c.call('register_agent', { name: 'frank' });
    expect(errorCode(result)).toBe('INVALID_INPUT');
    expect(JSON.stringify(result.structuredContent.error)).toMatch(/agent_id/);
    expect((await c.call('heartbeat', {})).isError).toBe(true); // still unbound
  });

  it('an agent whose run completes no longer reports working on it', async () => {
    await c.ok('register_agent', { name: 'gina', role: 'implementer' });
    const run = await c.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'fix the parser' });
    await c.ok('heartbeat', { status: 'working', run_id: run.run_id });
    expect((await c.ok<Who>('whoami')).agent).toMatchObject({ status: 'working', current_run_id: run.run_id });
    await c.ok('submit_result', { run_id: run.run_id, outcome: 'completed', summary: 'fixed, tests pass', lease_epoch: run.lease_epoch });
    expect((await c.ok<Who>('whoami')).agent).toMatchObject({ status: 'idle', current_run_id: null });
  });

  it('an agent whose run was dead-lettered while it was silent does not come back reporting working on no run', async () => {
    const submitter = await connectClient(t.app);
    await submitter.ok('register_agent', { name: 'lead', role: 'coordinator' });
    const sub = await submitter.ok<{ run_id: string }>('submit_task', { title: 'migrate', instructions: 'migrate the schema', to_role: 'implementer', max_attempts: 1 });
    await c.ok('register_agent', { name: 'hank', role: 'implementer' });
    await c.ok('take_task');
    await c.ok('heartbeat', { status: 'working', note: 'on it' }); // working, without naming the run
    t.clock.advance(61_000);
    // the owner went silent with no attempt left: the next sweep dead-letters the run
    await sweepOnce(t.app.deps);
    const view = await submitter.ok<{ run: { state: string; dead_reason: string | null } }>('get_run', { run_id: sub.run_id });
    expect(view.run.state).toBe('dead');
    expect((await c.ok<Who>('whoami')).agent).toMatchObject({ status: 'idle', current_run_id: null });
    await submitter.close();
  });

  it('keeps working when the agent still holds another run', async () => {
    await c.ok('register_agent', { name: 'ivy', role: 'implementer' });
    const first = await c.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'one' });
    await c.ok('start_run', { title: 'two' });
    await c.ok('heartbeat', { status: 'working', run_id: first.run_id });
    await c.ok('submit_result', { run_id: first.run_id, outcome: 'completed', summary: 'done', lease_epoch: first.lease_epoch });
    expect((await c.ok<Who>('whoami')).agent).toMatchObject({ status: 'working', current_run_id: null });
  });
});
