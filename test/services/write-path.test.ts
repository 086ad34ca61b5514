import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerAgent, touchAgent } from '../../src/services/agents.js';
import { claimScope, listClaims } from '../../src/services/claims/index.js';
import { expiryGate } from '../../src/services/expiry-gate.js';
import { writeTx } from '../../src/services/tx.js';
import type { Store } from '../../src/store/port/index.js';
import { connectClient, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';

/**
 * The lean write path (issue 9): a tool call is one transaction in the common case, and expiry runs
 * at deadlines, with the statements that act on expirable state judging it themselves meanwhile.
 */
describe('the write path', () => {
  let t: TestApp;
  let c: TestClient;
  let agentId: string;
  let writes = 0;
  let reads = 0;

  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    // count the transactions the real store runs (a counting pass-through, not a stand-in)
    const store: Store = t.app.deps.store;
    const write = store.write.bind(store);
    const read = store.read.bind(store);
    store.write = (fn) => {
      writes++;
      return write(fn);
    };
    store.read = (fn) => {
      reads++;
      return read(fn);
    };
    c = await connectClient(t.app);
    agentId = (await c.ok<{ agent_id: string }>('register_agent', { name: 'worker', role: 'implementer' })).agent_id;
  });
  afterEach(async () => {
    await c.close();
    await t.close();
  });

  const counting = async <T>(fn: () => Promise<T>): Promise<{ value: T; writes: number; reads: number }> => {
    writes = 0;
    reads = 0;
    const value = await fn();
    return { value, writes, reads };
  };

  it('a write tool with a pending signal is one transaction: sign of life, its work, its event and the signal together', async () => {
    await t.app.deps.store.write(async (tx) => tx.signals.insert({ agentId, kind: 'notice', message: 'hello' }, t.clock.now()));
    t.clock.advance(2_000); // past the sign-of-life throttle, so the call owes one
    const { value, writes: w, reads: r } = await counting(() => c.ok<{ signals?: { message: string }[] }>('heartbeat', { note: 'working' }));
    expect(value.signals?.map((s) => s.message)).toEqual(['hello']);
    expect(w).toBe(1);
    expect(r).toBe(0);
  });

  it('a read-only tool with nothing owed writes nothing, and reads once (its snapshot also looks for signals)', async () => {
    await c.ok('heartbeat', {});
    const { writes: w, reads: r } = await counting(() => c.ok('whoami'));
    expect(w).toBe(0);
    expect(r).toBe(1);
  });

  it('a read-only tool owing a sign of life or a signal does it in one small write', async () => {
    t.clock.advance(2_000);
    const { writes: w } = await counting(() => c.ok('whoami'));
    expect(w).toBe(1);
    const last = await t.app.deps.store.read(async (tx) => (await tx.agents.get(agentId))!.lastSeenAt);
    expect(last).toBe(t.clock.now());
  });

  it('the expiry pass runs only once a known deadline has passed', async () => {
    const gate = expiryGate(t.app.deps.store);
    await writeTx(t.app.deps, async () => undefined); // learns the next deadline
    const lease = t.clock.now() + 60_000;
    expect(gate.nextAt).toBeLessThanOrEqual(lease);
    expect(gate.isDue(t.clock.now())).toBe(false);
    t.clock.advance(61_000);
    expect(gate.isDue(t.clock.now())).toBe(true);
    await writeTx(t.app.deps, async () => undefined);
    const agent = await t.app.deps.store.read(async (tx) => tx.agents.get(agentId));
    expect(agent?.recordedLiveness).toBe('stale');
  });

  it('a claim of an agent past its lease never conflicts, even before any pass ran, and never comes back overlapping', async () => {
    const alice = (await registerAgent(t.app.deps, { name: 'alice', role: 'implementer' })).agent.id;
    const bob = (await registerAgent(t.app.deps, { name: 'bob', role: 'implementer' })).agent.id;
    expect((await claimScope(t.app.deps, alice, { scopes: [{ kind: 'path', pattern: 'src/**', mode: 'exclusive' }] })).granted).toBe(true);
    t.clock.advance(61_000);
    // make the gate believe nothing is due (as in a process that has not yet learned this deadline)
    expiryGate(t.app.deps.store).set(t.clock.now() + 3_600_000);
    await t.app.deps.store.write(async (tx) => tx.agents.touch(bob, t.clock.now(), true));
    const granted = await claimScope(t.app.deps, bob, { scopes: [{ kind: 'path', pattern: 'src/api/*.ts', mode: 'exclusive' }] });
    expect(granted.granted).toBe(true);
    // alice comes back: her lapsed claim is released before she is revived, so no overlap appears
    await touchAgent(t.app.deps, alice);
    const active = await listClaims(t.app.deps, {});
    const holders = active.claims.map((v) => v.claim.agentId);
    expect(holders).toContain(bob);
    expect(holders).not.toContain(alice);
  });
});
