import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import { PgStore } from '../../../src/store/postgres/pg-store.js';
import { silentLogger } from '../../helpers/app.js';
import { createTestDatabase, postgresOrSkip, type TestDatabase } from '../../helpers/postgres.js';
import { insertAgent, runRow, T0 } from './fixtures.js';

const available = await postgresOrSkip('PostgreSQL repository tests');
const SUBJECT = { scopes: [{ kind: 'path', pattern: 'src/**', workspace: '/w', rule_pattern: 'src/**', witness: 'src/a' }] };

/** Every repository method once, against a real database: the SQL of each statement runs and maps back. */
describe.skipIf(!available)('PostgreSQL repositories', () => {
  let db: TestDatabase;
  let store: PgStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await PgStore.open({ url: db.url, now: () => T0, logger: silentLogger, poolMax: 3 });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('agents: insert, read, touch, heartbeat, expiry, pause', async () => {
    await store.write(async (tx) => {
      const id = await insertAgent(tx, 'alice', 'dev');
      expect(await tx.agents.get(id)).toMatchObject({ name: 'alice', role: 'dev', paused: false, recordedLiveness: 'active', capabilities: [] });
      expect(await tx.agents.tokenHash(id)).toBe('h'.repeat(64));
      expect((await tx.agents.findByNameRole('alice', 'dev')).map((a) => a.id)).toEqual([id]);
      await tx.agents.touch(id, T0 + 1_000, true);
      await tx.agents.applyHeartbeat(id, { status: 'working', note: 'n', progress: 0.5, currentRunId: null, usage: { tokens_in: 3, cost_usd: 0.25 } });
      const a = (await tx.agents.get(id))!;
      expect(a).toMatchObject({ status: 'working', note: 'n', progress: 0.5, lastHeartbeatAt: T0 + 1_000, usage: { tokens_in: 3, tokens_out: 0, cost_usd: 0.25 } });
      expect(await tx.agents.nextExpiry()).toBe(T0 + 1_000 + 300_000);
      expect((await tx.agents.listExpired(T0 + 301_000, 10)).map((x) => x.id)).toEqual([id]);
      await tx.agents.markStale(id, T0 + 301_000);
      expect((await tx.agents.get(id))!.recordedLiveness).toBe('stale');
      await tx.agents.setPaused(id, true);
      expect((await tx.agents.get(id))!.paused).toBe(true);
      expect((await tx.agents.list()).length).toBeGreaterThan(0);
    });
  });

  it('access tokens: insert, find by hash, touch, revoke, registration hashes', async () => {
    await store.write(async (tx) => {
      const agentId = await insertAgent(tx, 'tok');
      const t = await tx.accessTokens.insert({ id: newId('tok'), kind: 'agent', agentId, label: 'ci', tokenHash: 'a'.repeat(64), now: T0 });
      expect(await tx.accessTokens.findByHash('a'.repeat(64))).toMatchObject({ id: t.id, kind: 'agent', agentId });
      await tx.accessTokens.touch(t.id, T0 + 5);
      expect((await tx.accessTokens.get(t.id))!.lastUsedAt).toBe(T0 + 5);
      expect(await tx.accessTokens.revoke(t.id, T0 + 6)).toBe(true);
      expect(await tx.accessTokens.revoke(t.id, T0 + 7)).toBe(false);
      expect((await tx.accessTokens.list(false)).map((x) => x.id)).not.toContain(t.id);
      expect((await tx.accessTokens.list(true)).map((x) => x.id)).toContain(t.id);
      expect(await tx.accessTokens.agentIdByRegistrationHash('h'.repeat(64))).toMatch(/^agt_/);
    });
  });

  it('runs: insert, idempotency, take, update, renew, lapse, ttl, lists and aggregates', async () => {
    await store.write(async (tx) => {
      const agentId = await insertAgent(tx, 'runner', 'builder');
      const keyed = await tx.runs.insert(runRow({ toRole: 'builder', idempotencyKey: 'k1', submitter: 'coord', inputHash: 'ih', expectedEvidence: ['patch'] }));
      expect((await tx.runs.findByIdempotencyKey('coord', 'k1'))!).toMatchObject({ run: { id: keyed.id, expectedEvidence: ['patch'] }, inputHash: 'ih' });
      await tx.runs.insert(runRow({ toRole: 'builder', ttlSeconds: 60, now: T0 + 1 }));
      await tx.runs.insert(runRow({ toRole: 'builder', now: T0 + 2 }));
      await tx.runs.update(keyed.id, { states: ['queued'] }, { availableAt: T0 + 10_000 }, T0);
      expect(await tx.runs.nextAvailableAt(agentId, 'builder', T0 + 5)).toBe(T0 + 10_000);
      expect((await tx.runs.listTtlExpired(T0 + 61_000, 10)).length).toBe(1);
      expect(await tx.runs.nextDeadline()).toBe(T0 + 1 + 60_000);

      const taken = (await tx.runs.takeNext(agentId, 'builder', T0 + 5, T0 + 100))!;
      expect(taken).toMatchObject({ state: 'leased', ownerId: agentId, leaseEpoch: 1, attempts: 1, expiresAt: null });
      expect(await tx.runs.renewLeases(agentId, T0 + 200, T0 + 6)).toEqual([taken.id]);
      expect((await tx.runs.listLapsed(T0 + 300, 10)).map((r) => r.id)).toEqual([taken.id]);
      expect((await tx.runs.listOwnedBy(agentId, ['leased'])).map((r) => r.id)).toEqual([taken.id]);
      await tx.runs.addUsage(taken.id, { tokens_in: 7, cost_usd: 0.5 });
      const done = await tx.runs.update(
        taken.id,
        { states: ['leased'], epoch: 1, ownerId: agentId },
        { state: 'completed', ownerId: null, leaseExpiresAt: null, finishedAt: T0 + 50, result: { outcome: 'completed', summary: 'ok', evidence: ['art_x'], risks: [], by: agentId, epoch: 1, at: T0 + 50 } },
        T0 + 50,
      );
      expect(done).toMatchObject({ state: 'completed', result: { outcome: 'completed', evidence: ['art_x'], epoch: 1 }, usage: { tokens_in: 7, cost_usd: 0.5 } });
      expect(await tx.runs.update(taken.id, { states: ['leased'] }, { state: 'queued' }, T0 + 51)).toBeNull();

      expect((await tx.runs.list({ states: ['completed'], limit: 10 })).map((r) => r.id)).toEqual([taken.id]);
      expect((await tx.runs.list({ ownerId: agentId, limit: 10 })).map((r) => r.id)).toEqual([taken.id]);
      const page1 = await tx.runs.list({ role: 'builder', limit: 2 });
      const page2 = await tx.runs.list({ role: 'builder', limit: 2, cursor: { createdAt: page1[1]!.createdAt, id: page1[1]!.id } });
      expect(page1.length + page2.length).toBe(3);
      expect(await tx.runs.listIds('run_', 10)).toHaveLength(3);
      expect(await tx.runs.countByState()).toEqual({ queued: 2, completed: 1 });
      const agg = await tx.runs.aggregates(10);
      expect(agg).toMatchObject({ finished: { completed: 1 }, totalRuns: 3, latenciesMs: [45] });
      expect(agg.depth).toEqual([{ role: 'builder', state: 'queued', count: 2 }]);
    });
  });

  it('claims: insert, candidates, own, update, renew, transfer, due, end', async () => {
    await store.write(async (tx) => {
      const a = await insertAgent(tx, 'ca');
      const b = await insertAgent(tx, 'cb');
      const c = await tx.claims.insert({ id: newId('clm'), workspace: '/w', kind: 'path', pattern: 'src/api/**', prefix: 'src/api/', mode: 'exclusive', agentId: a, runId: 'run_1', reason: null, ttlSeconds: 60, now: T0, location: { worktree: '/w-feat', branch: 'feat', host: 'h2' } });
      const q = { workspace: '/w', kind: 'path' as const, now: T0 + 1, exclusiveOnly: false, excludeAgentId: b };
      expect((await tx.claims.candidates({ ...q, prefix: 'src/', ancestors: ['', 'src/'], rangeEnd: 'src0' })).map((x) => x.id)).toEqual([c.id]);
      expect(await tx.claims.candidates({ ...q, prefix: 'test/', ancestors: ['', 'test/'], rangeEnd: 'test0' })).toEqual([]);
      expect((await tx.claims.candidates({ ...q, prefix: '', ancestors: [''], rangeEnd: null })).length).toBe(1);
      expect((await tx.claims.atPrefixes('/w', 'path', ['src/api/'], T0)).length).toBe(1);
      expect((await tx.claims.findOwn(a, '/w', 'path', 'src/api/**'))!.id).toBe(c.id);
      const u = await tx.claims.update(c.id, { mode: 'shared', ttlSeconds: 120, expiresAt: T0 + 120_000, runId: null, reason: 'r' });
      expect(u).toMatchObject({ mode: 'shared', runId: 'run_1', reason: 'r', expiresAt: T0 + 120_000 });
      expect(await tx.claims.renewAgent(a, T0 + 10_000)).toEqual([c.id]);
      expect(await tx.claims.countActive({ workspace: '/w' })).toBe(1);
      expect((await tx.claims.listActive({ agentId: a, limit: 5 })).map((x) => x.id)).toEqual([c.id]);
      expect((await tx.claims.transferRun('run_1', b, T0 + 20_000))[0]).toMatchObject({ agentId: b });
      expect(await tx.claims.nextExpiry()).toBe(T0 + 20_000 + 120_000);
      expect((await tx.claims.listDue(T0 + 999_999, 5)).length).toBe(1);
      expect(await tx.claims.end(c.id, 'released', 'done', T0 + 30_000)).toMatchObject({ state: 'released', releaseReason: 'done' });
      expect(await tx.claims.end(c.id, 'expired', 'again', T0 + 30_001)).toBeNull();
    });
  });

  it('handoffs, blockers and grants: one open per run, closed once, orphans found', async () => {
    await store.write(async (tx) => {
      const a = await insertAgent(tx, 'ha', 'dev');
      const b = await insertAgent(tx, 'hb', 'dev');
      await tx.runs.insert(runRow({ toRole: 'dev' }));
      const run = (await tx.runs.takeNext(a, 'dev', T0, T0 + 300_000))!;
      await tx.runs.update(run.id, { states: ['leased'] }, { state: 'handoff_pending' }, T0);
      const h = await tx.handoffs.insert({ id: newId('hof'), runId: run.id, fromAgentId: a, toAgentId: null, toRole: 'dev', summary: 's', nextAction: 'n', changedFiles: ['a.ts'], evidence: [], failedAttempts: [{ what: 'x', why: 'y' }] as never, risks: [], openQuestions: [], offeredEpoch: 1, now: T0 });
      expect((await tx.handoffs.openForRun(run.id))!.id).toBe(h.id);
      expect((await tx.handoffs.list({ toRole: 'dev', states: ['offered'], limit: 5 })).map((x) => x.id)).toEqual([h.id]);
      expect((await tx.handoffs.listOpenFrom(a)).length).toBe(1);
      expect(await tx.handoffs.listOrphaned(5)).toEqual([]);
      expect(await tx.handoffs.openSummary()).toEqual({ count: 1, oldestAt: T0 });
      expect(await tx.handoffs.listIds('hof_', 5)).toEqual([h.id]);
      expect(await tx.handoffs.close(h.id, 'accepted', b, null, T0 + 1)).toMatchObject({ state: 'accepted', decidedBy: b });
      expect(await tx.handoffs.close(h.id, 'declined', b, 'no', T0 + 2)).toBeNull();
      expect((await tx.handoffs.listByRun(run.id)).length).toBe(1);
      expect((await tx.handoffs.get(h.id))!.changedFiles).toEqual(['a.ts']);

      await tx.runs.update(run.id, { states: ['handoff_pending'] }, { state: 'blocked' }, T0 + 3);
      const blk = await tx.blockers.insert({ id: newId('blk'), runId: run.id, agentId: a, raisedBy: a, origin: 'policy', kind: 'approval', question: 'ok?', options: ['yes', 'no'], context: null, evidence: [], policyRule: 'claims_need_approval', policySubject: SUBJECT, now: T0 + 3 });
      expect(await tx.blockers.listOrphaned(5)).toEqual([]);
      expect((await tx.blockers.list({ states: ['open'], kinds: ['approval'], limit: 5 })).map((x) => x.id)).toEqual([blk.id]);
      expect(await tx.blockers.openSummary()).toEqual({ count: 1, oldestAt: T0 + 3 });
      const resolved = await tx.blockers.resolve(blk.id, { decision: 'approve', resolution: null, chosenOption: 'yes', reassignedTo: null, resolvedBy: 'op' }, T0 + 4);
      expect(resolved).toMatchObject({ state: 'resolved', decision: 'approve', policySubject: SUBJECT });
      expect(await tx.blockers.resolve(blk.id, { decision: 'deny', resolution: null, chosenOption: null, reassignedTo: null, resolvedBy: 'op' }, T0 + 5)).toBeNull();
      expect(await tx.blockers.hasApprovedPolicyBlocker(run.id, 'claims_need_approval')).toBe(true);
      await tx.blockers.insertGrant(a, 'claims_need_approval', 'src/**', blk.id, T0 + 4);
      await tx.blockers.insertGrant(a, 'claims_need_approval', 'src/**', blk.id, T0 + 5);
      expect(await tx.blockers.hasGrant(a, 'claims_need_approval', 'src/**')).toBe(true);
      expect((await tx.blockers.listByRun(run.id)).length).toBe(1);
      expect(await tx.blockers.listIds('blk_', 5)).toEqual([blk.id]);
      const blk2 = await tx.blockers.insert({ id: newId('blk'), runId: run.id, agentId: b, raisedBy: b, origin: 'agent', kind: 'decision', question: 'q', options: [], context: 'c', evidence: [], policyRule: null, policySubject: null, now: T0 + 6 });
      expect((await tx.blockers.listOrphaned(5)).map((x) => x.id)).toEqual([blk2.id]);
      expect(await tx.blockers.markObsolete(blk2.id, 'system', 'moved on', T0 + 7)).toMatchObject({ state: 'obsolete' });
      expect(await tx.blockers.openForRun(run.id)).toBeNull();
    });
  });

  it('artifacts and blobs: content addressed, immutable, listed', async () => {
    await store.write(async (tx) => {
      const a = await insertAgent(tx, 'art');
      const run = await tx.runs.insert(runRow());
      const sha = 'b'.repeat(64);
      expect(await tx.artifacts.putBlob({ sha256: sha, size: 3, stored: 'inline', bytes: Buffer.from('abc') }, T0)).toBe(true);
      expect(await tx.artifacts.putBlob({ sha256: sha, size: 3, stored: 'inline', bytes: Buffer.from('abc') }, T0)).toBe(false);
      expect((await tx.artifacts.getBlob(sha))!.bytes!.toString()).toBe('abc');
      const art = await tx.artifacts.insert({ id: newId('art'), runId: run.id, agentId: a, kind: 'log', name: 'x.log', mediaType: 'text/plain', sha256: sha, size: 3 }, T0);
      expect((await tx.artifacts.get(art.id))!.name).toBe('x.log');
      expect((await tx.artifacts.listByRun(run.id)).length).toBe(1);
      expect(await tx.artifacts.kindsOfRun(run.id)).toEqual(['log']);
      expect(await tx.artifacts.runIdOf(art.id)).toBe(run.id);
      expect((await tx.artifacts.recent(1))[0]!.id).toBe(art.id);
      expect(await tx.artifacts.idsWithPrefix(art.id.slice(0, 6), 5)).toEqual([art.id]);
    });
    await expect(store.write((tx) => tx.artifacts.putBlob({ sha256: 'c'.repeat(64), size: 9, stored: 'inline', bytes: Buffer.from('abc') }, T0))).rejects.toThrow();
  });

  it('signals: delivered once per connection, acknowledged, released, redelivered', async () => {
    await store.write(async (tx) => {
      const a = await insertAgent(tx, 'sig');
      const s1 = await tx.signals.insert({ agentId: a, kind: 'notice', message: 'one', payload: { k: 1 } }, T0);
      expect(s1).toMatchObject({ kind: 'notice', payload: { k: 1 }, redelivered: false, acknowledgedAt: null });
      expect(await tx.signals.hasDeliverable(a, 'c1', T0 - 1)).toBe(true);
      expect((await tx.signals.deliver(a, 'c1', T0 + 1, T0 - 1, 10)).map((s) => s.id)).toEqual([s1.id]);
      expect(await tx.signals.deliver(a, 'c2', T0 + 2, T0 - 1, 10)).toEqual([]);
      expect(await tx.signals.release('c1')).toBe(1);
      const again = await tx.signals.deliver(a, 'c2', T0 + 3, T0 - 1, 10);
      expect(again).toMatchObject([{ id: s1.id, redelivered: true }]);
      expect(await tx.signals.acknowledge(a, 'c2', [s1.id], T0 + 4)).toBe(1);
      expect(await tx.signals.unacknowledged(a, 10)).toEqual([]);
      expect((await tx.signals.recent(a, 10))[0]!.acknowledgedAt).toBe(T0 + 4);
    });
  });

  it('events and metrics: filtered lists, counts, figures', async () => {
    const SUBMITTED = { state: 'queued', title: 'q', type: 'implement', to_role: null, to_agent: null, priority: 0, max_attempts: 3, ttl_seconds: null, parent_run_id: null, expected_evidence: [], on_stale: 'requeue' } as const;
    await store.write(async (tx) => {
      await tx.events.append({ actor: 'x', type: 'run.submitted', runId: 'run_q', agentId: 'agt_q', subjectId: 's', payload: SUBMITTED }, T0);
      await tx.events.append({ actor: 'x', type: 'run.taken', runId: 'run_q', payload: { from: 'queued', state: 'leased', epoch: 1, attempt: 1, lease_expires_at: null, waited_ms: 0 } }, T0 + 1);
    });
    const out = await store.read(async (tx) => ({
      byRun: await tx.events.list({ runId: 'run_q', limit: 10 }),
      byType: await tx.events.list({ types: ['run.taken'], limit: 10, newestFirst: true }),
      bySubject: await tx.events.list({ subjectId: 's', agentId: 'agt_q', afterSeq: 0, limit: 10 }),
      count: await tx.events.count(),
      last: await tx.events.lastSeq(),
      agents: await tx.metrics.agentFigures(T0),
      runs: await tx.metrics.runFigures(T0 + 1_000, [10_000, 30_000, 60_000]), // bounds the database keeps (migration 013)
      counts: await tx.metrics.eventCountsAfter(0),
    }));
    expect(out.byRun.map((e) => e.type)).toEqual(['run.submitted', 'run.taken']);
    expect(out.byRun[0]!.payload).toEqual(SUBMITTED);
    expect(out.byType).toHaveLength(1);
    expect(out.bySubject).toHaveLength(1);
    expect(out.count).toBe(out.last);
    expect(out.agents.active + out.agents.stale).toBeGreaterThan(0);
    expect(out.runs).toMatchObject({ deadLetters: 0, processing: { count: 1, cumulative: [1, 1, 1] } });
    expect(out.counts.lastSeq).toBe(out.last);
  });
});
