import { isEventOf, type EventType } from '../../src/domain/event.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetError } from '../../src/domain/errors.js';
import { registerAgent } from '../../src/services/agents.js';
import {
  claimScope,
  forceRelease,
  listClaims,
  releaseClaimsOfAgent,
  releaseClaimsOfRun,
  releaseScope,
  transferClaimsOfRun,
} from '../../src/services/claims/index.js';
import { startRun } from '../../src/services/runs/submit.js';
import { readTx, writeTx } from '../../src/services/tx.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let alice: string;
let bob: string;

const operator = { kind: 'operator' as const, name: 'ops' };
const eventsOf = <T extends EventType>(types: T[]) => readTx(t.app.deps, async (tx) => (await tx.events.list({ types, limit: 1000 })).filter((e) => isEventOf(e, ...types)));
const activeIds = async (agentId: string) => (await listClaims(t.app.deps, { agentId })).claims.map((c) => c.claim.id).sort();

async function claimIds(agentId: string, patterns: string[], extra: Record<string, unknown> = {}): Promise<string[]> {
  const outcome = await claimScope(t.app.deps, agentId, { scopes: patterns.map((pattern) => ({ kind: 'path' as const, pattern })), ...extra });
  expect(outcome.granted).toBe(true);
  return outcome.claims.map((c) => c.claim.id);
}

async function failure(promise: Promise<unknown>): Promise<FleetError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(FleetError);
  return error as FleetError;
}

beforeEach(async () => {
  t = await openTestApp();
  alice = (await registerAgent(t.app.deps, { name: 'alice', role: 'implementer' })).agent.id;
  bob = (await registerAgent(t.app.deps, { name: 'bob', role: 'implementer' })).agent.id;
});
afterEach(() => t.close());

describe('release_scope', () => {
  it('releases only the named own claims, with an event each', async () => {
    const [a1, a2] = await claimIds(alice, ['src/**', 'docs/**']);
    const out = await releaseScope(t.app.deps, alice, { claim_ids: [a1!] });
    expect(out.released.map((c) => c.id)).toEqual([a1]);
    expect(await activeIds(alice)).toEqual([a2]);
    const events = await eventsOf(['claim.released']);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: alice, subjectId: a1, payload: { reason: 'released', pattern: 'src/**' } });
    // the scope is free again
    expect((await claimScope(t.app.deps, bob, { scopes: [{ kind: 'path', pattern: 'src/x.ts' }] })).granted).toBe(true);
  });

  it("refuses another agent's claim with FORBIDDEN and releases nothing of the request", async () => {
    const [a1] = await claimIds(alice, ['src/**']);
    const [b1] = await claimIds(bob, ['lib/**']);
    const error = await failure(releaseScope(t.app.deps, bob, { claim_ids: [b1!, a1!] }));
    expect(error.code).toBe('FORBIDDEN');
    expect(await activeIds(bob)).toEqual([b1]);
    expect(await activeIds(alice)).toEqual([a1]);
    expect((await failure(releaseScope(t.app.deps, bob, { claim_ids: ['clm_doesnotexist'] }))).code).toBe('NOT_FOUND');
  });

  it('all: true releases every own claim; releasing again reports them as not active', async () => {
    const ids = (await claimIds(alice, ['a/**', 'b/**', 'c/**'])).sort();
    await claimIds(bob, ['d/**']);
    const out = await releaseScope(t.app.deps, alice, { all: true });
    expect(out.released.map((c) => c.id).sort()).toEqual(ids);
    expect(await activeIds(alice)).toEqual([]);
    expect((await activeIds(bob)).length).toBe(1);
    const again = await releaseScope(t.app.deps, alice, { claim_ids: ids });
    expect(again.released).toEqual([]);
    expect(again.notActive.map((c) => c.state)).toEqual(['released', 'released', 'released']);
    expect((await failure(releaseScope(t.app.deps, alice, {}))).code).toBe('INVALID_INPUT');
  });
});

describe('force_release', () => {
  it('ends named claims of any agent, tells each holder with the reason, and records the operator', async () => {
    const [a1] = await claimIds(alice, ['src/**']);
    const [b1] = await claimIds(bob, ['lib/**']);
    const out = await forceRelease(t.app.deps, operator, { claim_ids: [a1!, b1!], reason: 'freeze for release 2.0' });
    expect(out.released.map((c) => c.id).sort()).toEqual([a1, b1].sort());
    const events = await eventsOf(['claim.released']);
    expect(events.map((e) => [e.actor, e.payload.reason, e.payload.note])).toEqual([
      ['operator:ops', 'forced', 'freeze for release 2.0'],
      ['operator:ops', 'forced', 'freeze for release 2.0'],
    ]);
    for (const [holder, id] of [
      [alice, a1],
      [bob, b1],
    ] as const) {
      const [signal] = await readTx(t.app.deps, async (tx) => await tx.signals.recent(holder, 1));
      expect(signal).toMatchObject({ kind: 'claim_released', subjectId: id, payload: { claim_ids: [id], reason: 'forced', by: 'operator:ops' } });
      expect(signal!.message).toMatch(/freeze for release 2\.0/);
    }
  });

  it("ends all of one agent's claims with agent_id, and is for the operator only", async () => {
    await claimIds(alice, ['a/**', 'b/**']);
    await claimIds(bob, ['c/**']);
    const out = await forceRelease(t.app.deps, operator, { agent_id: alice, reason: 'agent wedged' });
    expect(out.released).toHaveLength(2);
    expect(await activeIds(alice)).toEqual([]);
    expect(await activeIds(bob)).toHaveLength(1);
    const signals = await readTx(t.app.deps, async (tx) => await tx.signals.recent(alice, 5));
    expect(signals).toHaveLength(1); // one signal for the batch, not one per claim
    expect((await failure(forceRelease(t.app.deps, { kind: 'agent', agentId: bob }, { agent_id: alice, reason: 'x' }))).code).toBe('FORBIDDEN');
    expect((await failure(forceRelease(t.app.deps, operator, { reason: 'x' }))).code).toBe('INVALID_INPUT');
  });
});

describe('claims linked to runs', () => {
  it('links only to a run the caller holds', async () => {
    const run = await startRun(t.app.deps, alice, { title: 'fix the api' });
    const granted = await claimScope(t.app.deps, alice, { scopes: [{ kind: 'path', pattern: 'src/api/**' }], run_id: run.id });
    expect(granted.claims[0]!.claim.runId).toBe(run.id);
    expect((await failure(claimScope(t.app.deps, bob, { scopes: [{ kind: 'path', pattern: 'lib/**' }], run_id: run.id }))).code).toBe('FORBIDDEN');
    expect((await failure(claimScope(t.app.deps, bob, { scopes: [{ kind: 'path', pattern: 'lib/**' }], run_id: 'run_nosuchrun' }))).code).toBe('NOT_FOUND');
  });

  it("releaseClaimsOfRun ends only that run's claims", async () => {
    const run = await startRun(t.app.deps, alice, { title: 'fix the api' });
    const linked = await claimIds(alice, ['src/api/**', 'test/api/**'], { run_id: run.id });
    const [unlinked] = await claimIds(alice, ['docs/**']);
    const released = await writeTx(t.app.deps, async (tx, now) => await releaseClaimsOfRun(tx, run.id, now, 'run_finished', alice));
    expect(released.sort()).toEqual(linked.sort());
    expect(await activeIds(alice)).toEqual([unlinked]);
    const events = await eventsOf(['claim.released']);
    expect(events.every((e) => e.runId === run.id && e.payload.reason === 'run_finished')).toBe(true);
  });

  it('transferClaimsOfRun moves the run claims to the new owner, renewed, with an event each', async () => {
    const run = await startRun(t.app.deps, alice, { title: 'fix the api' });
    const linked = await claimIds(alice, ['src/api/**'], { run_id: run.id, ttl_seconds: 60 });
    t.clock.advance(50_000);
    const moved = await writeTx(t.app.deps, async (tx, now) => await transferClaimsOfRun(tx, run.id, bob, now, bob));
    expect(moved).toEqual(linked);
    const [view] = (await listClaims(t.app.deps, { agentId: bob })).claims;
    expect(view!.claim.expiresAt).toBe(t.clock.now() + 60_000);
    expect(view!.holder!.agentId).toBe(bob);
    const [event] = await eventsOf(['claim.transferred']);
    expect(event!.payload).toMatchObject({ from_agent_id: alice, to_agent_id: bob });
    // now alice conflicts with bob
    expect((await claimScope(t.app.deps, alice, { scopes: [{ kind: 'path', pattern: 'src/api/x.ts' }] })).granted).toBe(false);
  });

  it('releaseClaimsOfAgent ends every claim of the agent and signals it once', async () => {
    await claimIds(alice, ['a/**', 'b/**']);
    const ids = await writeTx(t.app.deps, async (tx, now) => await releaseClaimsOfAgent(tx, alice, now, 'holder_stale', 'system'));
    expect(ids).toHaveLength(2);
    expect(await readTx(t.app.deps, async (tx) => await tx.signals.recent(alice, 5))).toHaveLength(1);
  });
});
