import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';

interface Waiting {
  handoff_id: string;
  run_id: string;
  from_agent_id: string;
  to: string;
}
type WithWaiting = { waiting_handoffs?: Waiting[]; next?: string };

/** What waits for an agent or its role is readable whenever it arrives (SPEC §3 "Reaching agents"). */
describe('handoffs waiting for an agent or its role', () => {
  let t: TestApp;
  let impl: TestClient;
  const others: TestClient[] = [];

  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    impl = await connectClient(t.app);
    await impl.ok('register_agent', { name: 'impl', role: 'implementer' });
  });
  afterEach(async () => {
    for (const c of [impl, ...others.splice(0)]) await c.close();
    t.close();
  });

  async function client(): Promise<TestClient> {
    const c = await connectClient(t.app);
    others.push(c);
    return c;
  }

  async function offerToReviewers(): Promise<{ handoffId: string; runId: string }> {
    const started = await impl.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'implement it', type: 'implement' });
    const offered = await impl.ok<{ handoff_id: string }>('handoff', {
      run_id: started.run_id,
      to_role: 'reviewer',
      summary: 'done, please review',
      next_action: 'review src/',
      lease_epoch: started.lease_epoch,
    });
    return { handoffId: offered.handoff_id, runId: started.run_id };
  }

  async function expectNamedEverywhere(c: TestClient, handoffId: string, registration: WithWaiting): Promise<void> {
    expect(registration.waiting_handoffs?.map((h) => h.handoff_id)).toEqual([handoffId]);
    expect(registration.next).toContain('accept_handoff');
    expect((await c.ok<WithWaiting>('whoami')).waiting_handoffs?.map((h) => h.handoff_id)).toEqual([handoffId]);
    expect((await c.ok<WithWaiting>('heartbeat', {})).waiting_handoffs?.map((h) => h.handoff_id)).toEqual([handoffId]);
    const take = await c.ok<WithWaiting & { run: unknown; reason: string }>('take_task', { wait_seconds: 5 });
    expect(take.run).toBeNull();
    expect(take.reason).toBe('handoff_waiting'); // never "nothing for you", and answered without waiting
    expect(take.next).toContain(`accept_handoff (handoff_id ${handoffId})`);
    expect(take.waiting_handoffs?.[0]).toMatchObject({ handoff_id: handoffId, to: 'role:reviewer' });
  }

  it('an agent that registers after a handoff was offered to its role sees it in register_agent, whoami, heartbeat and take_task', async () => {
    const { handoffId, runId } = await offerToReviewers();
    const reviewer = await client();
    const registration = await reviewer.ok<WithWaiting>('register_agent', { name: 'late reviewer', role: 'reviewer' });
    await expectNamedEverywhere(reviewer, handoffId, registration);
    const accepted = await reviewer.ok<{ run: { run_id: string; state: string } }>('accept_handoff', { handoff_id: handoffId });
    expect(accepted.run).toMatchObject({ run_id: runId, state: 'leased' });
    // once decided, it no longer waits for anyone
    expect((await reviewer.ok<WithWaiting>('whoami')).waiting_handoffs).toBeUndefined();
  });

  it('a handoff offered while every member of the role was stale is seen by a member that comes back and by a new one', async () => {
    const sleeper = await client();
    const sleeperId = (await sleeper.ok<{ agent_id: string }>('register_agent', { name: 'sleepy reviewer', role: 'reviewer' })).agent_id;
    t.clock.advance(61_000);
    await impl.ok('heartbeat', {}); // the implementer stays alive; the reviewer's lease ran out
    const { handoffId } = await offerToReviewers();
    const fresh = await client();
    await expectNamedEverywhere(fresh, handoffId, await fresh.ok<WithWaiting>('register_agent', { name: 'new reviewer', role: 'reviewer' }));
    const back = await sleeper.ok<WithWaiting & { agent_id: string }>('heartbeat', {});
    expect(back.agent_id).toBe(sleeperId);
    expect(back.waiting_handoffs?.map((h) => h.handoff_id)).toEqual([handoffId]);
  });

  it('the offerer and other roles are not told about it', async () => {
    await offerToReviewers();
    expect((await impl.ok<WithWaiting>('whoami')).waiting_handoffs).toBeUndefined();
    const tester = await client();
    expect((await tester.ok<WithWaiting>('register_agent', { name: 'tester', role: 'tester' })).waiting_handoffs).toBeUndefined();
  });
});
