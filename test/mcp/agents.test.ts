import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, errorCode, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';

describe('agent identity over MCP', () => {
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

  it('refuses fleet tools before registration with NOT_REGISTERED and a hint', async () => {
    const result = await c.call('heartbeat', {});
    expect(result.isError).toBe(true);
    expect(errorCode(result)).toBe('NOT_REGISTERED');
    expect((result.structuredContent.error as { hint: string }).hint).toMatch(/register_agent/);
  });

  it('registers, heartbeats and reports liveness from the injected clock', async () => {
    const reg = await c.ok<{ agent_id: string; token: string; lease_seconds: number; heartbeat_seconds: number }>('register_agent', {
      name: 'alice',
      role: 'implementer',
    });
    expect(reg.agent_id).toMatch(/^agt_/);
    expect(reg.token).toMatch(/^fdk_/);
    expect(reg.lease_seconds).toBe(60);
    expect(reg.heartbeat_seconds).toBe(20);

    const hb = await c.ok<{ liveness: string }>('heartbeat', { status: 'working', note: 'reading code', progress: 0.25, usage: { tokens_in: 100, cost_usd: 0.01 } });
    expect(hb.liveness).toBe('active');

    const who = await c.ok<{ agent: { status: string; note: string; usage: { tokens_in: number }; liveness: string } }>('whoami');
    expect(who.agent).toMatchObject({ status: 'working', note: 'reading code', liveness: 'active' });
    expect(who.agent.usage.tokens_in).toBe(100);

    t.clock.advance(61_000);
    // any call of the agent itself would be a sign of life: look from another, unbound connection
    const observer = await connectClient(t.app);
    const status = await observer.ok<{ agents: { stale: number } }>('fleet_status');
    expect(status.agents.stale).toBe(1);
    await c.ok('whoami');
    expect((await observer.ok<{ agents: { active: number } }>('fleet_status')).agents.active).toBe(1);
    await observer.close();
  });

  it('resumes an identity with agent_id from the user-only token file, and refuses a wrong token', async () => {
    const reg = await c.ok<{ agent_id: string }>('register_agent', { name: 'bob', role: 'reviewer' });
    const other = await connectClient(t.app);
    const wrong = await other.call('register_agent', { name: 'bob', role: 'reviewer', agent_id: reg.agent_id, token: 'fdk_wrong' });
    expect(errorCode(wrong)).toBe('FORBIDDEN');
    const resumed = await other.ok<{ agent_id: string; resumed: boolean; token?: string }>('register_agent', {
      name: 'bob',
      role: 'reviewer',
      agent_id: reg.agent_id,
    });
    expect(resumed).toMatchObject({ agent_id: reg.agent_id, resumed: true });
    expect(resumed.token).toBeUndefined();
    await other.close();
  });

  it('answers a bound connection with its own identity and refuses another one', async () => {
    const reg = await c.ok<{ agent_id: string }>('register_agent', { name: 'dana', role: 'implementer' });
    const again = await c.ok<{ agent_id: string; resumed: boolean }>('register_agent', { name: 'x', role: 'y', agent_id: reg.agent_id });
    expect(again).toMatchObject({ agent_id: reg.agent_id, resumed: true });
    const sameName = await c.ok<{ agent_id: string }>('register_agent', { name: 'dana', role: 'implementer' });
    expect(sameName.agent_id).toBe(reg.agent_id);
    const other = await c.call('register_agent', { name: 'erin', role: 'reviewer' });
    expect(errorCode(other)).toBe('INVALID_STATE');
  });

  it('answers bad input with INVALID_INPUT or TOO_LARGE and writes nothing', async () => {
    const before = await c.ok<{ last_event_seq: number }>('fleet_status');
    const wrongType = await c.call('register_agent', { name: 42, role: 'x' });
    expect(errorCode(wrongType)).toBe('INVALID_INPUT');
    const missing = await c.call('register_agent', { name: 'x' });
    expect(errorCode(missing)).toBe('INVALID_INPUT');
    const huge = await c.call('register_agent', { name: 'x'.repeat(10_000), role: 'r' });
    expect(errorCode(huge)).toBe('TOO_LARGE');
    const unknown = await c.call('no_such_tool', {});
    expect(errorCode(unknown)).toBe('INVALID_INPUT');
    const after = await c.ok<{ last_event_seq: number }>('fleet_status');
    expect(after.last_event_seq).toBe(before.last_event_seq);
  });

  it('marks an agent stale in the sweep and revives it on its next call', async () => {
    const reg = await c.ok<{ agent_id: string }>('register_agent', { name: 'carol', role: 'implementer' });
    t.clock.advance(120_000);
    const { sweepOnce } = await import('../../src/services/sweep.js');
    const report = await sweepOnce(t.app.deps);
    expect(report.staleAgents).toEqual([reg.agent_id]);
    const again = await sweepOnce(t.app.deps);
    expect(again.staleAgents).toEqual([]);
    await c.ok('heartbeat', {});
    const events = await c.ok<{ events: { type: string }[] }>('list_events', { agent_id: reg.agent_id });
    // a heartbeat that reports nothing new renews the lease without an audit event (docs/retention.md)
    expect(events.events.map((e) => e.type)).toEqual(['agent.registered', 'agent.stale', 'agent.revived']);
  });
});
