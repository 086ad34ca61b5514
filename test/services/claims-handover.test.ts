/**
 * services/claims/handover.ts: the checks an accepted handoff makes before moving a run's claims
 * (snapshot → compare → verify), on a real SQLite file. The accept itself is covered through MCP in
 * test/mcp/handoff-claims-conflict.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerAgent } from '../../src/services/agents.js';
import { newWorkMeter } from '../../src/services/claims/budget.js';
import { claimScope, listClaims } from '../../src/services/claims/index.js';
import { compareHandover, handOverClaimsOfRun, newHandoverComparisons, snapshotHandover, verifyHandover } from '../../src/services/claims/steps/handover.js';
import { startRun } from '../../src/services/runs/submit.js';
import { readTx, writeTx } from '../../src/services/tx.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let giver: string;
let taker: string;

async function claim(agentId: string, pattern: string, mode: 'shared' | 'exclusive', runId?: string): Promise<string> {
  const outcome = await claimScope(t.app.deps, agentId, { scopes: [{ kind: 'path', pattern }], mode, ...(runId ? { run_id: runId } : {}) });
  expect(outcome.granted).toBe(true);
  return outcome.claims[0]!.claim.id;
}
const snapshot = (runId: string) => readTx(t.app.deps, async (tx, now) => await snapshotHandover(tx, runId, taker, now));
const verify = (runId: string, comparisons: ReturnType<typeof newHandoverComparisons>) =>
  readTx(t.app.deps, async (tx, now) => await verifyHandover(tx, runId, taker, now, comparisons));
const heldBy = async (agentId: string) => (await listClaims(t.app.deps, { agentId })).claims.map((c) => c.claim.id).sort();

beforeEach(async () => {
  t = await openTestApp();
  giver = (await registerAgent(t.app.deps, { name: 'giver', role: 'implementer' })).agent.id;
  taker = (await registerAgent(t.app.deps, { name: 'taker', role: 'implementer' })).agent.id;
});
afterEach(() => t.close());

describe('handing over a run’s claims', () => {
  it('names the claims that overlap what the giver keeps, and not the run’s own claims', async () => {
    const keep = await startRun(t.app.deps, giver, { title: 'keep' });
    const give = await startRun(t.app.deps, giver, { title: 'give' });
    const kept = await claim(giver, 'src/**', 'shared', keep.id);
    const overlapping = await claim(giver, 'src/*.ts', 'exclusive', give.id);
    // overlaps the run's other claim: both move together, so that is no conflict
    const sibling = await claim(giver, 'src/a.ts', 'shared', give.id);
    const free = await claim(giver, 'docs/**', 'exclusive', give.id);
    const comparisons = newHandoverComparisons();
    await compareHandover(await snapshot(give.id), comparisons, newWorkMeter());
    const notReceived = (await verify(give.id, comparisons))!;
    expect(notReceived.map((n) => [n.claim.id, n.reason, n.conflicts.map((c) => c.claim.id)])).toEqual([[overlapping, 'conflict', [kept]]]);
    expect(notReceived[0]!.conflicts[0]!.witness).toMatch(/^src\/[^/]*\.ts$/);

    const handover = await writeTx(t.app.deps, async (tx, now) => await handOverClaimsOfRun(tx, give.id, taker, now, notReceived, 'hnd_test'));
    expect(handover.moved.sort()).toEqual([sibling, free].sort());
    expect(await heldBy(taker)).toEqual([sibling, free].sort());
    expect(await heldBy(giver)).toEqual([kept]);
    const released = await readTx(t.app.deps, async (tx) => await tx.events.list({ types: ['claim.released'], limit: 10 }));
    expect(released).toHaveLength(1);
    expect(released[0]).toMatchObject({ actor: taker, subjectId: overlapping, payload: { reason: 'handoff_conflict', handoff_id: 'hnd_test', to_agent_id: taker } });
  });

  it('refuses to decide on a stale snapshot: a claim that appeared since must be compared first', async () => {
    const give = await startRun(t.app.deps, giver, { title: 'give' });
    const keep = await startRun(t.app.deps, giver, { title: 'keep' });
    await claim(giver, 'src/*.ts', 'exclusive', give.id);
    const comparisons = newHandoverComparisons();
    await compareHandover(await snapshot(give.id), comparisons, newWorkMeter());
    expect(await verify(give.id, comparisons)).toEqual([]);
    // the giver claims an overlapping scope on another run after the snapshot
    const later = await claim(giver, 'src/**', 'shared', keep.id);
    expect(await verify(give.id, comparisons)).toBeNull();
    await compareHandover(await snapshot(give.id), comparisons, newWorkMeter());
    expect((await verify(give.id, comparisons))!.map((n) => n.conflicts.map((c) => c.claim.id))).toEqual([[later]]);
  });

  it('releases, never moves unchecked, a claim whose comparison does not fit in the budget', async () => {
    const give = await startRun(t.app.deps, giver, { title: 'give' });
    const keep = await startRun(t.app.deps, giver, { title: 'keep' });
    await claim(giver, 'lib/**', 'shared', keep.id);
    const handed = await claim(giver, 'lib/*.ts', 'exclusive', give.id);
    const comparisons = newHandoverComparisons();
    await compareHandover(await snapshot(give.id), comparisons, { left: 0 });
    const notReceived = (await verify(give.id, comparisons))!;
    expect(notReceived.map((n) => [n.claim.id, n.reason])).toEqual([[handed, 'undecided']]);
    const handover = await writeTx(t.app.deps, async (tx, now) => await handOverClaimsOfRun(tx, give.id, taker, now, notReceived, 'hnd_test'));
    expect(handover.moved).toEqual([]);
    expect(await heldBy(taker)).toEqual([]);
  });
});
