import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDELIVER_AFTER_MS } from '../../src/services/signals.js';
import { connectClient, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';

interface SignalOut {
  id: number;
  kind: string;
  message: string;
  redelivered?: boolean;
  acknowledged?: boolean;
}
type WithSignals = { signals?: SignalOut[] };

/** Signals are delivered at least once and never doubled (SPEC §3 "Reaching agents"; docs/identity-and-liveness.md). */
describe('signal delivery', () => {
  let t: TestApp;
  let a: TestClient;
  let agentId: string;
  const extra: TestClient[] = [];

  beforeEach(async () => {
    t = await openTestApp();
    a = await connectClient(t.app);
    agentId = (await a.ok<{ agent_id: string }>('register_agent', { name: 'worker', role: 'implementer' })).agent_id;
  });
  afterEach(async () => {
    for (const c of [a, ...extra.splice(0)]) await c.close();
    t.close();
  });

  /** Queues `n` notices for the agent the way every service does: a row written in a transaction. */
  async function queueSignals(n: number): Promise<number[]> {
    const now = t.clock.now();
    return t.app.deps.store.write(async (tx) => {
      const ids: number[] = [];
      for (let i = 0; i < n; i++) ids.push((await tx.signals.insert({ agentId, kind: 'notice', message: `notice ${i}` }, now)).id);
      return ids;
    });
  }

  /** Another connection acting as the same agent (a second process or HTTP session of one identity). */
  async function secondConnection(): Promise<TestClient> {
    const c = await connectClient(t.app);
    c.session.bindAgent(agentId);
    extra.push(c);
    return c;
  }

  const idsOf = (results: WithSignals[]) => results.flatMap((r) => (r.signals ?? []).map((s) => s.id));

  it('concurrent calls of one agent, on one connection and on two, never carry the same signal, and together carry all', async () => {
    const b = await secondConnection();
    const queued = await queueSignals(30);
    const calls = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).ok<WithSignals>('heartbeat', { note: `call ${i}` }));
    const delivered = idsOf(await Promise.all(calls));
    expect(new Set(delivered).size).toBe(delivered.length);
    expect([...delivered].sort((x, y) => x - y)).toEqual(queued);
  });

  it('a read-only call carries pending signals too, and the next call on the connection acknowledges them', async () => {
    const [id] = await queueSignals(1);
    const first = await a.ok<WithSignals>('whoami');
    expect(idsOf([first])).toEqual([id]);
    expect(first.signals![0]!.redelivered).toBeUndefined();
    const again = await a.ok<WithSignals & { recent_signals: SignalOut[] }>('whoami');
    expect(again.signals).toBeUndefined();
    // whoami was the acknowledging call: it saw the signal as still unacknowledged at its start,
    // and the one after it sees the acknowledgement
    const after = await a.ok<{ recent_signals: SignalOut[] }>('whoami');
    expect(after.recent_signals.find((s) => s.id === id)?.acknowledged).toBe(true);
    // acknowledged: never handed to another connection, however long we wait
    t.clock.advance(REDELIVER_AFTER_MS * 2);
    const b = await secondConnection();
    expect(idsOf([await b.ok<WithSignals>('whoami')])).toEqual([]);
  });

  it('a signal whose connection closed before acknowledging it is delivered again on the next call, marked redelivered', async () => {
    const [id] = await queueSignals(1);
    expect(idsOf([await a.ok<WithSignals>('heartbeat', {})])).toEqual([id]);
    await a.close(); // the result may never have reached the agent
    const b = await secondConnection();
    const next = await b.ok<WithSignals>('heartbeat', {});
    expect(next.signals?.map((s) => [s.id, s.redelivered])).toEqual([[id, true]]);
    a = await connectClient(t.app); // for afterEach
  });

  it('a signal handed to a connection that died without closing is redelivered only after the grace period', async () => {
    const [id] = await queueSignals(1);
    expect(idsOf([await a.ok<WithSignals>('heartbeat', {})])).toEqual([id]);
    const b = await secondConnection();
    expect(idsOf([await b.ok<WithSignals>('heartbeat', {})])).toEqual([]); // a may still be reading it: not doubled
    t.clock.advance(REDELIVER_AFTER_MS);
    const later = await b.ok<WithSignals>('heartbeat', {});
    expect(later.signals?.map((s) => [s.id, s.redelivered])).toEqual([[id, true]]);
    // and a, if it was alive after all, does not get it a third time
    expect(idsOf([await a.ok<WithSignals>('heartbeat', {})])).toEqual([]);
  });

  it('whoami lists every unacknowledged signal, however many newer ones arrived', async () => {
    const [first] = await queueSignals(1);
    await a.ok('heartbeat', {}); // delivered, not yet acknowledged
    await a.close();
    await queueSignals(25);
    const b = await secondConnection();
    const view = await b.ok<{ recent_signals: SignalOut[] }>('whoami');
    expect(view.recent_signals.some((s) => s.id === first && s.acknowledged === false)).toBe(true);
    a = await connectClient(t.app);
  });
});
