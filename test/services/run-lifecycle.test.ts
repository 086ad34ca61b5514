import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.js';
import { LIFECYCLE } from '../../src/main.js';
import { registerAgent } from '../../src/services/agents.js';
import type { Deps } from '../../src/services/deps.js';
import { offerHandoff } from '../../src/services/handoffs/offer.js';
import type { RunEnd } from '../../src/services/lifecycle.js';
import { cancelRunAsOperator } from '../../src/services/runs/cancel.js';
import { reassignRun } from '../../src/services/runs/operator.js';
import { submitResult } from '../../src/services/runs/result.js';
import { submitTask } from '../../src/services/runs/submit.js';
import { takeTask } from '../../src/services/runs/take.js';
import { sweepOnce } from '../../src/services/sweep.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

/**
 * One run lifecycle (issue 19): every way a run's attempt ends runs the run-end hooks registered
 * through deps.lifecycle, once, for that run only.
 */
describe('the run lifecycle (real SQLite, manual clock)', () => {
  let t: TestApp;
  let deps: Deps;
  let seen: { runId: string; from: string; to: string; by: string; reason: string }[];
  const operator: Actor = { kind: 'operator', name: 'ops' };
  let coord: Actor;

  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    seen = [];
    const record = async (_tx: unknown, end: RunEnd) => {
      seen.push({ runId: end.run.id, from: end.before.state, to: end.run.state, by: end.by, reason: end.reason });
    };
    deps = { ...t.app.deps, lifecycle: { ...LIFECYCLE, runEndHooks: [...LIFECYCLE.runEndHooks, record] } };
    coord = { kind: 'agent', agentId: (await registerAgent(deps, { name: 'coord', role: 'coordinator' })).agent.id };
  });
  afterEach(() => t.close());

  const worker = async (name: string) => (await registerAgent(deps, { name, role: 'implementer' })).agent.id;
  const leased = async (agentId: string, extra: Record<string, unknown> = {}) => {
    const { run } = await submitTask(deps, coord, { title: 't', instructions: 'x', to_role: 'implementer', ...extra });
    const took = await takeTask(deps, t.app.feed, agentId, {});
    expect(took.run?.id).toBe(run.id);
    return run.id;
  };

  it('complete, cancel, reassign, TTL expiry and a silent owner each end the attempt once, with its reason', async () => {
    const w = await worker('w');
    const done = await leased(w);
    await submitResult(deps, { kind: 'agent', agentId: w }, { run_id: done, outcome: 'completed', summary: 'ok' });
    const cancelled = await leased(w);
    await cancelRunAsOperator(deps, operator, { run_id: cancelled, reason: 'not needed' });
    const reassigned = await leased(w);
    await reassignRun(deps, operator, { run_id: reassigned, to_role: 'reviewer' });
    const { run: expiring } = await submitTask(deps, coord, { title: 'late', instructions: 'x', to_role: 'nobody', ttl_seconds: 10 });
    const lapsing = await leased(w);
    t.clock.advance(61_000);
    await sweepOnce(deps);
    expect(seen.slice(0, 3)).toEqual([
      { runId: done, from: 'leased', to: 'completed', by: w, reason: 'run_finished' },
      { runId: cancelled, from: 'leased', to: 'cancelled', by: 'operator:ops', reason: 'run_cancelled' },
      { runId: reassigned, from: 'leased', to: 'queued', by: 'operator:ops', reason: 'run_reassigned' },
    ]);
    // the sweep: the queued run past its TTL, and the run of the owner that went silent
    expect(seen.slice(3)).toEqual(
      expect.arrayContaining([
        { runId: expiring.id, from: 'queued', to: 'dead', by: 'system', reason: 'run_finished' },
        { runId: lapsing, from: 'leased', to: 'queued', by: 'system', reason: 'holder_stale' },
      ]),
    );
    expect(seen).toHaveLength(5);
  });

  it('a cancelled run withdraws its own offered handoff and leaves another run’s offer alone', async () => {
    const a = await worker('a');
    const b = await worker('b');
    const mine = await leased(a);
    const other = await leased(b);
    const offerMine = await offerHandoff(deps, a, { run_id: mine, to_role: 'reviewer', summary: 's', next_action: 'n' });
    const offerOther = await offerHandoff(deps, b, { run_id: other, to_role: 'reviewer', summary: 's', next_action: 'n' });
    await cancelRunAsOperator(deps, operator, { run_id: mine, reason: 'stop' });
    const states = await deps.store.read(async (tx) => ({
      mine: (await tx.handoffs.get(offerMine.handoff.id))?.state,
      other: (await tx.handoffs.get(offerOther.handoff.id))?.state,
    }));
    expect(states).toEqual({ mine: 'withdrawn', other: 'offered' });
    expect(seen).toEqual([{ runId: mine, from: 'handoff_pending', to: 'cancelled', by: 'operator:ops', reason: 'run_cancelled' }]);
  });
});
