import { isEventOf, type EventType } from '../../src/domain/event.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ancestorPrefixes, CLAIM_TTL, normalizeScope, prefixRangeEnd, type ClaimKind, type ClaimMode } from '../../src/domain/claim.js';
import { FleetError } from '../../src/domain/errors.js';
import { globMatches, nameCovers } from '../../src/domain/glob/index.js';
import { heartbeat, registerAgent, touchAgent } from '../../src/services/agents.js';
import { checkScope, claimScope, listClaims, type ClaimOutcome } from '../../src/services/claims/index.js';
import { sweepOnce } from '../../src/services/sweep.js';
import { readTx } from '../../src/services/tx.js';
import { sqliteInternals } from '../helpers/postgres.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let alice: string;
let bob: string;

async function agent(name: string, workspace?: string): Promise<string> {
  return (await registerAgent(t.app.deps, { name, role: 'implementer', workspace })).agent.id;
}

async function claim(who: string, kind: ClaimKind, pattern: string, mode: ClaimMode = 'exclusive', extra: Record<string, unknown> = {}): Promise<ClaimOutcome> {
  return claimScope(t.app.deps, who, { scopes: [{ kind, pattern, mode }], ...extra });
}

const lastSeq = () => readTx(t.app.deps, async (tx) => await tx.events.lastSeq());
const eventsOf = <T extends EventType>(types: T[]) => readTx(t.app.deps, async (tx) => (await tx.events.list({ types, limit: 1000 })).filter((e) => isEventOf(e, ...types)));

beforeEach(async () => {
  t = await openTestApp({ agentLeaseSeconds: '300' });
  alice = await agent('alice');
  bob = await agent('bob');
});
afterEach(() => t.close());

describe('conflict semantics', () => {
  // [kind, held pattern, held mode, requested pattern, requested mode, conflicts?]
  it.each([
    ['path', 'src/**', 'exclusive', 'src/api/*.ts', 'exclusive', true],
    ['path', 'src/**', 'shared', 'src/api/*.ts', 'shared', false],
    ['path', 'src/**', 'exclusive', 'src/api/*.ts', 'shared', true],
    ['path', 'src/**', 'shared', 'src/api/*.ts', 'exclusive', true],
    ['path', 'src/*.ts', 'exclusive', 'test/*.ts', 'exclusive', false],
    ['path', 'src/*.ts', 'exclusive', 'src/a*', 'exclusive', true],
    ['path', 'src/api/users.ts', 'exclusive', 'src/api/users.ts', 'exclusive', true],
    ['path', 'src/**', 'exclusive', 'src', 'exclusive', true],
    ['path', 'src/api/**', 'exclusive', 'src/apiary/**', 'exclusive', false],
    ['path', '**/*.md', 'exclusive', 'docs/guide/**', 'exclusive', true],
    ['resource', 'area:billing', 'exclusive', 'area:billing/api', 'exclusive', true],
    ['resource', 'area:billing/api', 'exclusive', 'area:billing', 'exclusive', true],
    ['resource', 'area:billing', 'exclusive', 'area:billingx', 'exclusive', false],
    ['resource', 'db:*', 'exclusive', 'db:users/schema', 'exclusive', true],
    ['test', 'test/unit/**', 'exclusive', 'test/unit/auth.test.ts', 'exclusive', true],
    ['test', 'test/unit/auth.test.ts', 'shared', 'test/unit/auth.test.ts', 'shared', false],
  ] as const)('%s: held %s (%s) vs requested %s (%s) → conflict %s', async (kind, held, heldMode, requested, reqMode, conflicts) => {
    expect((await claim(alice, kind, held, heldMode)).granted).toBe(true);
    const outcome = await claim(bob, kind, requested, reqMode);
    expect(outcome.granted).toBe(!conflicts);
    if (!conflicts) return;
    const conflict = outcome.decision.conflicts[0]!;
    expect(conflict.holder).toMatchObject({ agentId: alice, name: 'alice', liveness: 'active' });
    expect(conflict.claim.pattern).toBe(held);
    // the witness is a concrete name both patterns match
    const matches = kind === 'path' ? globMatches : nameCovers;
    expect(matches(held, conflict.witness)).toBe(true);
    expect(matches(requested, conflict.witness)).toBe(true);
  });

  it('never conflicts across workspaces or kinds', async () => {
    expect((await claim(alice, 'path', 'src/**', 'exclusive', { workspace: '/repo/one' })).granted).toBe(true);
    expect((await claim(bob, 'path', 'src/**', 'exclusive', { workspace: '/repo/two' })).granted).toBe(true);
    expect((await claim(bob, 'test', 'src/**', 'exclusive', { workspace: '/repo/one' })).granted).toBe(true);
    expect((await claim(bob, 'resource', 'src/**', 'exclusive', { workspace: '/repo/one/' })).granted).toBe(true);
    expect((await claim(bob, 'path', 'src/x.ts', 'exclusive', { workspace: '/repo/one/' })).granted).toBe(false);
  });

  it("uses the agent's registered workspace as its default, else the server's", async () => {
    const carol = await agent('carol', '/work/carol-tree/');
    const granted = await claim(carol, 'path', 'src/**');
    expect(granted.decision.workspace).toBe('/work/carol-tree');
    expect((await claim(alice, 'path', 'src/**')).decision.workspace).toBe(t.config.workspace);
    // naming carol's workspace explicitly meets her claim
    expect((await claim(bob, 'path', 'src/**', 'exclusive', { workspace: '/work/carol-tree' })).granted).toBe(false);
  });

  it("never conflicts with the agent's own claims, and a re-claim extends instead of duplicating", async () => {
    const first = await claim(alice, 'path', 'src/**', 'exclusive', { ttl_seconds: 60 });
    expect(first.granted).toBe(true);
    expect((await claim(alice, 'path', 'src/api/**')).granted).toBe(true);
    t.clock.advance(30_000);
    const again = await claim(alice, 'path', './src//**', 'exclusive', { ttl_seconds: 600 });
    expect(again.granted).toBe(true);
    expect(again.claims[0]!.extended).toBe(true);
    expect(again.claims[0]!.claim.id).toBe(first.claims[0]!.claim.id);
    expect(again.claims[0]!.claim.expiresAt).toBe(t.clock.now() + 600_000);
    const listing = await listClaims(t.app.deps, { agentId: alice });
    expect(listing.claims.map((c) => c.claim.pattern).sort()).toEqual(['src/**', 'src/api/**']);
    expect((await eventsOf(['claim.extended'])).length).toBe(1);
  });

  it('reports every conflicting claim with holder, since, expiry, run and the requested pattern', async () => {
    t.clock.advance(1_000);
    await claim(alice, 'path', 'src/api/**', 'exclusive', { reason: 'auth refactor' });
    await claim(alice, 'path', 'src/web/*.ts', 'shared');
    const outcome = await claimScope(t.app.deps, bob, { scopes: [{ kind: 'path', pattern: 'src/**' }] });
    expect(outcome.granted).toBe(false);
    expect(outcome.decision.conflictsTotal).toBe(2);
    const [c1, c2] = outcome.decision.conflicts;
    expect(c1!.claim).toMatchObject({ pattern: 'src/api/**', reason: 'auth refactor', runId: null });
    expect(c1!.requested.pattern).toBe('src/**');
    expect(c1!.claim.createdAt).toBe(t.clock.now());
    expect(c1!.claim.expiresAt).toBe(t.clock.now() + CLAIM_TTL.defaultSeconds * 1000);
    expect(c2!.claim.pattern).toBe('src/web/*.ts');
  });
});

describe('all-or-nothing', () => {
  it('grants nothing and writes no event when one scope conflicts', async () => {
    await claim(alice, 'path', 'src/api/users.ts');
    const before = await lastSeq();
    const outcome = await claimScope(t.app.deps, bob, {
      scopes: [
        { kind: 'path', pattern: 'docs/**' },
        { kind: 'resource', pattern: 'area:billing' },
        { kind: 'path', pattern: 'src/api/*.ts' },
      ],
    });
    expect(outcome.granted).toBe(false);
    expect(outcome.decision.conflicts.map((c) => c.witness)).toEqual(['src/api/users.ts']);
    expect(await lastSeq()).toBe(before);
    expect((await listClaims(t.app.deps, { agentId: bob })).claims).toEqual([]);
  });

  it('grants every scope of a request together, one event each', async () => {
    const outcome = await claimScope(t.app.deps, bob, {
      scopes: [
        { kind: 'path', pattern: 'docs/**' },
        { kind: 'path', pattern: 'docs/**', mode: 'shared' },
        { kind: 'resource', pattern: 'area:billing', mode: 'shared' },
      ],
      mode: 'exclusive',
      reason: 'docs pass',
    });
    expect(outcome.granted).toBe(true);
    // duplicates merge; exclusive wins
    expect(outcome.claims.map((c) => [c.claim.pattern, c.claim.mode])).toEqual([
      ['docs/**', 'exclusive'],
      ['area:billing', 'shared'],
    ]);
    expect((await eventsOf(['claim.granted'])).map((e) => e.subjectId)).toEqual(outcome.claims.map((c) => c.claim.id));
  });
});

describe('bad patterns', () => {
  it.each(['/etc/passwd', '../outside/**', 'src/../../x', 'src/[z-a].ts', 'src/{a,b', '', 'C:/x', 'a\u0000b'])('refuses %j with INVALID_INPUT and writes nothing', async (pattern) => {
    const before = await lastSeq();
    const error = await claim(alice, 'path', pattern).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).code).toBe('INVALID_INPUT');
    expect((error as FleetError).hint).toBeTruthy();
    expect(await lastSeq()).toBe(before);
  });

  it('accepts names that would look like drive letters as paths (test and resource kinds)', async () => {
    expect((await claim(alice, 'test', 't:unit/auth')).granted).toBe(true);
  });
});

describe('expiry, renewal and stale holders', () => {
  it('expires a claim after its ttl without a sign of life, with an event and a signal', async () => {
    const granted = await claim(alice, 'path', 'src/**', 'exclusive', { ttl_seconds: 60 });
    const id = granted.claims[0]!.claim.id;
    t.clock.advance(59_000);
    expect((await claim(bob, 'path', 'src/a.ts')).granted).toBe(false);
    t.clock.advance(1_000); // exactly at expires_at: over
    // check_scope (a read: no expiry pass ran yet) already treats it as over
    expect((await checkScope(t.app.deps, { kind: 'agent', agentId: bob }, { scopes: [{ kind: 'path', pattern: 'src/a.ts' }] })).granted).toBe(true);
    await sweepOnce(t.app.deps);
    const expired = await eventsOf(['claim.expired']);
    expect(expired.map((e) => e.subjectId)).toEqual([id]);
    expect(expired[0]!.payload).toMatchObject({ reason: 'ttl', pattern: 'src/**' });
    const signals = await readTx(t.app.deps, async (tx) => await tx.signals.recent(alice, 5));
    expect(signals[0]).toMatchObject({ kind: 'claim_released', subjectId: id });
    expect((await claim(bob, 'path', 'src/a.ts')).granted).toBe(true);
    // idempotent: a second sweep expires nothing more
    await sweepOnce(t.app.deps);
    expect((await eventsOf(['claim.expired'])).length).toBe(1);
  });

  it('renews every claim of the holder on each sign of life (a tool call or a heartbeat)', async () => {
    const granted = await claimScope(t.app.deps, alice, {
      scopes: [
        { kind: 'path', pattern: 'src/**' },
        { kind: 'resource', pattern: 'area:billing' },
      ],
      ttl_seconds: 60,
    });
    const ids = granted.claims.map((c) => c.claim.id).sort();
    t.clock.advance(50_000);
    expect((await touchAgent(t.app.deps, alice)).claims.sort()).toEqual(ids);
    t.clock.advance(50_000); // 100 s after the claim, 50 s after the renewal
    const hb = await heartbeat(t.app.deps, alice, {});
    expect(hb.renewed.claims.sort()).toEqual(ids);
    t.clock.advance(59_000);
    expect((await claim(bob, 'path', 'src/x.ts')).granted).toBe(false);
    const listing = await listClaims(t.app.deps, { agentId: alice });
    expect(listing.claims.every((c) => c.claim.expiresAt === t.clock.now() + 1_000)).toBe(true);
    // renewal never touches another agent's claims
    expect((await touchAgent(t.app.deps, bob)).claims).toEqual([]);
  });

  it("releases a stale holder's claims in the sweep, with an event each", async () => {
    const granted = await claimScope(t.app.deps, alice, {
      scopes: [
        { kind: 'path', pattern: 'src/**' },
        { kind: 'test', pattern: 'test/unit/**' },
      ],
      ttl_seconds: 3_600,
    });
    t.clock.advance(299_000);
    await touchAgent(t.app.deps, bob);
    expect((await claim(bob, 'path', 'src/a.ts')).granted).toBe(false);
    t.clock.advance(1_000);
    const report = await sweepOnce(t.app.deps);
    expect(report.staleAgents).toEqual([alice]);
    const released = await eventsOf(['claim.released']);
    expect(released.map((e) => e.subjectId).sort()).toEqual(granted.claims.map((c) => c.claim.id).sort());
    expect(released.every((e) => e.payload.reason === 'holder_stale' && e.actor === 'system')).toBe(true);
    expect((await listClaims(t.app.deps, { agentId: alice })).claims).toEqual([]);
    // the holder learns it on its next call
    const signals = await readTx(t.app.deps, async (tx) => await tx.signals.recent(alice, 5));
    expect(signals[0]!.kind).toBe('claim_released');
    expect(signals[0]!.message).toMatch(/silent past your lease/);
  });

  it("a stale holder's unreleased claim does not block: the write transaction runs expiry first", async () => {
    await claim(alice, 'path', 'src/**', 'exclusive', { ttl_seconds: 3_600 });
    t.clock.advance(200_000);
    await touchAgent(t.app.deps, bob);
    t.clock.advance(100_000); // alice is past her lease; no sweep and no write has run since
    const dangling = await readTx(t.app.deps, async (tx) => await tx.claims.listActive({ agentId: alice, limit: 10 }));
    expect(dangling).toHaveLength(1);
    const outcome = await claim(bob, 'path', 'src/x.ts');
    expect(outcome.granted).toBe(true);
    const types = (await eventsOf(['agent.stale', 'claim.released', 'claim.granted'])).slice(-3).map((e) => [e.type, e.agentId]);
    expect(types).toEqual([
      ['agent.stale', alice],
      ['claim.released', alice],
      ['claim.granted', bob],
    ]);
  });
});

describe('check_scope', () => {
  it('answers what claim_scope would, and writes nothing', async () => {
    await claim(alice, 'path', 'src/api/**');
    const own = await claim(bob, 'path', 'docs/**');
    const before = await lastSeq();
    const bobActor = { kind: 'agent' as const, agentId: bob };
    const denied = await checkScope(t.app.deps, bobActor, { scopes: [{ kind: 'path', pattern: 'src/*/users.ts' }] });
    expect(denied.granted).toBe(false);
    expect(denied.decision.conflicts[0]!.witness).toBe('src/api/users.ts');
    const fine = await checkScope(t.app.deps, bobActor, { scopes: [{ kind: 'path', pattern: 'docs/**' }, { kind: 'path', pattern: 'lib/**' }] });
    expect(fine.granted).toBe(true);
    expect(fine.decision.scopes.map((s) => s.existing?.id ?? null)).toEqual([own.claims[0]!.claim.id, null]);
    // the operator is checked against every holder
    const op = await checkScope(t.app.deps, { kind: 'operator', name: 'ops' }, { scopes: [{ kind: 'path', pattern: 'docs/x.md' }] });
    expect(op.decision.conflicts[0]!.holder.agentId).toBe(bob);
    expect(await lastSeq()).toBe(before);
  });
});

describe('the prefix index', () => {
  it.each([
    ['path', 'src/api/**', 'src/api/'],
    ['path', 'src/a.ts', 'src/'],
    ['path', '*.ts', ''],
    ['resource', 'area:billing', ''],
    ['resource', 'area:billing/api', 'area:billing/'],
    ['resource', 'area:bill*/x', ''],
    ['test', 'test/unit/foo.test.ts::it works', 'test/unit/'],
  ] as const)('%s %s is indexed under %j', (kind, pattern, prefix) => {
    expect(normalizeScope(kind, pattern).prefix).toBe(prefix);
  });

  it('enumerates ancestors and bounds the range of descendants exactly', () => {
    expect(ancestorPrefixes('src/api/')).toEqual(['', 'src/', 'src/api/']);
    expect(ancestorPrefixes('')).toEqual(['']);
    expect(prefixRangeEnd('src/')).toBe('src0');
    expect(prefixRangeEnd('')).toBeNull();
  });

  it('finds overlapping claims above, below and beside in the hierarchy, and only those', async () => {
    // hierarchical names: `area:billing` (key '') covers `area:billing/api/v2` (key 'area:billing/api/')
    await claim(alice, 'resource', 'area:billing');
    expect((await claim(bob, 'resource', 'area:billing/api/v2')).granted).toBe(false);
    // a deeper holder is found from a shallower request through the range scan
    await claim(alice, 'path', 'lib/deep/er/file.ts');
    expect((await claim(bob, 'path', 'lib/**')).granted).toBe(false);
    expect((await claim(bob, 'path', 'lib/*.ts')).granted).toBe(true);
    // a sibling directory sharing a name prefix is outside the range
    await claim(alice, 'path', 'pkg/a/**');
    expect((await claim(bob, 'path', 'pkg/ab/**')).granted).toBe(true);
    expect((await claim(bob, 'path', 'pkg/*/x.ts')).granted).toBe(false);
  });

  it.skipIf(sqliteInternals('uses the candidates index for both probes'))('uses the candidates index for both probes', async () => {
    const store = t.app.deps.store as unknown as { db: import('better-sqlite3').Database };
    const plan = (sql: string) =>
      (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    const ancestors = plan(`SELECT id FROM claims WHERE state = 'active' AND workspace = 'w' AND kind = 'path'
      AND prefix IN (SELECT value FROM json_each('["","src/"]')) AND expires_at > 0`);
    const range = plan(`SELECT id FROM claims WHERE state = 'active' AND workspace = 'w' AND kind = 'path'
      AND prefix > 'src/' AND prefix < 'src0' AND expires_at > 0`);
    expect(ancestors).toMatch(/USING INDEX claims_candidates \(workspace=\? AND kind=\? AND prefix=\?\)/);
    expect(range).toMatch(/USING INDEX claims_candidates \(workspace=\? AND kind=\? AND prefix>\? AND prefix<\?\)/);
  });
});
