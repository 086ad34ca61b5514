import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore, type WriteStats } from '../../src/store/sqlite/sqlite-store.js';
import { connectClient, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';

/**
 * Liveness is soft state (SPEC §3 "Sessions", issue 22): a transaction that records only signs of
 * life commits without a disk flush; one that changes state stays durable, even when it began as a
 * sign of life. Judged through the SQLite store's own counters, on a real file.
 */
describe.skipIf(process.env.FLEETDECK_TEST_STORE === 'postgres')('soft liveness', () => {
  let t: TestApp;
  let c: TestClient;
  let agentId: string;

  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    c = await connectClient(t.app);
    agentId = (await c.ok<{ agent_id: string }>('register_agent', { name: 'worker', role: 'implementer' })).agent_id;
  });
  afterEach(async () => {
    await c.close();
    await t.close();
  });

  const stats = (): WriteStats => ({ ...(t.app.deps.store as SqliteStore).writeStats });
  /** what `fn` did to the counters */
  const counting = async (fn: () => Promise<unknown>): Promise<Record<'commits' | 'softCommits' | 'hardened', number>> => {
    const before = stats();
    await fn();
    const after = stats();
    return { commits: after.commits - before.commits, softCommits: after.softCommits - before.softCommits, hardened: after.hardened - before.hardened };
  };

  it('commits a heartbeat without a flush, and a state change durably', async () => {
    t.clock.advance(2_000);
    expect(await counting(() => c.ok('heartbeat', { note: 'working', progress: 0.5 }))).toEqual({ commits: 1, softCommits: 1, hardened: 0 });
    t.clock.advance(2_000);
    expect(await counting(() => c.ok('submit_task', { title: 't', instructions: 'x', to_role: 'implementer' }))).toEqual({ commits: 1, softCommits: 0, hardened: 0 });
  });

  it('commits the sign of life of a read-only call without a flush', async () => {
    t.clock.advance(2_000); // past the per-connection throttle, so whoami owes a sign of life
    expect(await counting(() => c.ok('whoami'))).toEqual({ commits: 1, softCommits: 1, hardened: 0 });
  });

  it('keeps a heartbeat that reports usage durable: usage adds to totals no later heartbeat repeats', async () => {
    t.clock.advance(2_000);
    expect(await counting(() => c.ok('heartbeat', { usage: { tokens_in: 10 } }))).toEqual({ commits: 1, softCommits: 0, hardened: 0 });
  });

  it('makes a heartbeat durable when it revives a stale agent (recovery is a state change)', async () => {
    await c.ok('claim_scope', { scopes: [{ kind: 'resource', pattern: 'area:billing' }] });
    t.clock.advance(61_000); // the lease ran out; no pass has marked it yet
    expect(await counting(() => c.ok('heartbeat', {}))).toEqual({ commits: 1, softCommits: 0, hardened: 1 });
    const types = await t.app.deps.store.read(async (tx) => (await tx.events.list({ agentId, newestFirst: true, limit: 10 })).map((e) => e.type));
    expect(types).toContain('agent.revived');
    expect(types).toContain('agent.stale');
  });

  it('makes a heartbeat durable when it delivers a signal', async () => {
    await t.app.deps.store.write(async (tx) => tx.signals.insert({ agentId, kind: 'notice', message: 'hello' }, t.clock.now()));
    t.clock.advance(2_000);
    const before = stats();
    const result = await c.ok<{ signals?: { message: string }[] }>('heartbeat', {});
    expect(result.signals?.map((s) => s.message)).toEqual(['hello']);
    expect(stats().softCommits - before.softCommits).toBe(0);
    expect(stats().hardened - before.hardened).toBe(1);
  });

  it('batches concurrent calls of one connection into shared commits, each answered with its own result', async () => {
    t.clock.advance(2_000);
    const before = stats();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => c.ok<{ run_id: string }>('submit_task', { title: `t${i}`, instructions: 'x', to_role: 'implementer' })));
    expect(new Set(results.map((r) => r.run_id)).size).toBe(8);
    const after = stats();
    expect(after.calls - before.calls).toBe(8);
    expect(after.commits - before.commits).toBeLessThan(8);
    expect(after.largestBatch).toBeGreaterThan(1);
  });
});
