import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ancestorPrefixes, normalizeScope, prefixRangeEnd } from '../../../src/domain/claim.js';
import { eventHash, GENESIS_HASH } from '../../../src/domain/event.js';
import { newId } from '../../../src/domain/ids.js';
import type { Tx } from '../../../src/store/port/index.js';
import { PgStore } from '../../../src/store/postgres/pg-store.js';
import { silentLogger } from '../../helpers/app.js';
import { createTestDatabase, postgresOrSkip, type TestDatabase } from '../../helpers/postgres.js';
import { insertAgent, runRow, T0 } from './fixtures.js';

const available = await postgresOrSkip('PostgreSQL concurrency tests');

/**
 * Three stores on one database stand for three replicas (three pools, no shared memory): every
 * race below is between connections, decided by PostgreSQL's locks alone.
 */
describe.skipIf(!available)('PostgreSQL store under concurrent replicas', () => {
  let db: TestDatabase;
  let replicas: PgStore[];
  const open = () => PgStore.open({ url: db.url, now: () => T0, logger: silentLogger, poolMax: 6 });

  beforeAll(async () => {
    db = await createTestDatabase();
    replicas = [await open(), await open(), await open()];
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.close()));
    await db?.drop();
  });
  const replica = (i: number) => replicas[i % replicas.length]!;

  /** Waits until some other connection is blocked on a lock (observed in pg_stat_activity). */
  async function untilSomeoneWaitsOnLock(): Promise<void> {
    for (;;) {
      const r = await replica(0).pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      if (r.rows[0].n > 0) return;
      await sleep(5);
    }
  }

  it('two takers never get the same run: 60 runs, 12 takers on 3 replicas, each run leased once', async () => {
    const agents = await replica(0).write(async (tx) => Promise.all(Array.from({ length: 12 }, (_, i) => insertAgent(tx, `taker-${i}`, 'taker'))));
    await replica(1).write(async (tx) => {
      for (let i = 0; i < 60; i++) await tx.runs.insert(runRow({ toRole: 'taker', priority: i % 3, now: T0 + i }));
    });
    const taken: string[] = [];
    await Promise.all(
      agents.map(async (agentId, i) => {
        for (;;) {
          const run = await replica(i).write((tx) => tx.runs.takeNext(agentId, 'taker', T0 + 1_000, T0 + 300_000));
          if (!run) return;
          expect(run.ownerId).toBe(agentId);
          expect(run.leaseEpoch).toBe(1);
          taken.push(run.id);
        }
      }),
    );
    expect(taken).toHaveLength(60);
    expect(new Set(taken).size).toBe(60);
  });

  it('take_task skips a run another replica is leasing right now instead of waiting or taking it too', async () => {
    const [a, b] = await replica(0).write(async (tx) => [await insertAgent(tx, 'a', 'skip'), await insertAgent(tx, 'b', 'skip')]);
    await replica(0).write(async (tx) => {
      await tx.runs.insert(runRow({ toRole: 'skip', priority: 5 }));
      await tx.runs.insert(runRow({ toRole: 'skip', priority: 1 }));
    });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let first = null as { priority: number } | null;
    const slow = replica(1).write(async (tx) => {
      first = await tx.runs.takeNext(a!, 'skip', T0 + 1, T0 + 300_000);
      await held; // keeps its lock on the best run until released
    });
    while (first === null) await sleep(2);
    const second = await replica(2).write((tx) => tx.runs.takeNext(b!, 'skip', T0 + 1, T0 + 300_000));
    release();
    await slow;
    expect(first!.priority).toBe(5);
    expect(second?.priority).toBe(1);
  });

  it('two replicas racing for overlapping exclusive claims never both grant (per-workspace lock)', async () => {
    const [a, b] = await replica(0).write(async (tx) => [await insertAgent(tx, 'ca'), await insertAgent(tx, 'cb')]);
    const workspace = `/ws/${newId('run')}`;
    /** claim_scope in miniature: look for conflicting candidates, grant when there are none */
    const claim = (tx: Tx, agentId: string, pattern: string, beforeInsert: () => Promise<void>) =>
      (async () => {
        const scope = normalizeScope('path', pattern);
        const found = await tx.claims.candidates({
          workspace,
          kind: 'path',
          prefix: scope.prefix,
          ancestors: ancestorPrefixes(scope.prefix),
          rangeEnd: prefixRangeEnd(scope.prefix),
          exclusiveOnly: false,
          excludeAgentId: agentId,
          now: T0,
        });
        if (found.length > 0) return { granted: false, conflicts: found.map((c) => c.pattern) };
        await beforeInsert();
        await tx.claims.insert({ id: newId('clm'), workspace, kind: 'path', pattern: scope.pattern, prefix: scope.prefix, mode: 'exclusive', agentId, runId: null, reason: null, ttlSeconds: 900, now: T0, location: { worktree: null, branch: null, host: null } });
        return { granted: true, conflicts: [] as string[] };
      })();

    // A has decided "no conflict" and holds the workspace lock; B starts deciding meanwhile and must
    // wait for A's commit, then see A's claim.
    let proceed!: () => void;
    const gate = new Promise<void>((r) => (proceed = r));
    let decided!: () => void;
    const aDecided = new Promise<void>((r) => (decided = r));
    const first = replica(0).write((tx) =>
      claim(tx, a!, 'src/**', () => {
        decided();
        return gate;
      }),
    );
    await aDecided;
    const second = replica(1).write((tx) => claim(tx, b!, 'src/api/*.ts', async () => {}));
    await untilSomeoneWaitsOnLock();
    proceed();
    const [ra, rb] = await Promise.all([first, second]);
    expect(ra.granted).toBe(true);
    expect(rb).toEqual({ granted: false, conflicts: ['src/**'] });
  });

  it('a duplicate submit racing on two replicas returns the first run (unique key, transaction retried)', async () => {
    const key = `key-${newId('run')}`;
    let arrived = 0;
    let open!: () => void;
    const barrier = new Promise<void>((r) => (open = r));
    const attempts = [0, 0];
    const submit = (i: number) =>
      replica(i).write(async (tx) => {
        attempts[i]!++;
        const existing = await tx.runs.findByIdempotencyKey('coord', key);
        if (existing) return { id: existing.run.id, deduplicated: true };
        if (attempts[i] === 1) {
          // both have looked and found nothing before either inserts
          if (++arrived === 2) open();
          await barrier;
        }
        const run = await tx.runs.insert(runRow({ idempotencyKey: key, submitter: 'coord' }));
        return { id: run.id, deduplicated: false };
      });
    const [x, y] = await Promise.all([submit(0), submit(1)]);
    expect(x.id).toBe(y.id);
    expect([x.deduplicated, y.deduplicated].sort()).toEqual([false, true]);
    expect(attempts[0]! + attempts[1]!).toBe(3); // the loser ran once more
  });

  it('a stale epoch changes nothing: fencing holds when the takeover commits first', async () => {
    const [a, b] = await replica(0).write(async (tx) => [await insertAgent(tx, 'fa', 'fence'), await insertAgent(tx, 'fb', 'fence')]);
    const run = await replica(0).write(async (tx) => {
      await tx.runs.insert(runRow({ toRole: 'fence' }));
      return (await tx.runs.takeNext(a!, 'fence', T0, T0 + 1))!;
    });
    // the lease lapses, the run is requeued and B takes it (epoch 2) on another replica
    await replica(1).write(async (tx) => {
      await tx.runs.update(run.id, { states: ['leased'], epoch: 1 }, { state: 'queued', ownerId: null, leaseExpiresAt: null }, T0 + 2);
      await tx.runs.takeNext(b!, 'fence', T0 + 3, T0 + 300_000);
    });
    const late = await replica(2).write((tx) =>
      tx.runs.update(run.id, { states: ['leased'], epoch: 1, ownerId: a! }, { state: 'completed', ownerId: null, finishedAt: T0 + 4, result: { outcome: 'completed', summary: 'late', evidence: [], risks: [], by: a!, epoch: 1, at: T0 + 4 } }, T0 + 4),
    );
    expect(late).toBeNull();
    const now = await replica(0).read((tx) => tx.runs.get(run.id));
    expect(now).toMatchObject({ state: 'leased', ownerId: b, leaseEpoch: 2 });
  });

  it('a signal is delivered to one of two racing connections, never both', async () => {
    const agent = await replica(0).write((tx) => insertAgent(tx, 'sig'));
    await replica(0).write(async (tx) => {
      for (let i = 0; i < 20; i++) await tx.signals.insert({ agentId: agent, kind: 'notice', message: `n${i}` }, T0 + i);
    });
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) => replica(i).write((tx) => tx.signals.deliver(agent, `conn-${i}`, T0 + 100, T0 - 60_000, 20))),
    );
    const ids = results.flat().map((s) => s.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });

  it('the audit chain stays one verifiable line while three replicas append concurrently', async () => {
    await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        replica(i).write(async (tx) => {
          await tx.events.append({ actor: `r${i % 3}`, type: 'agent.heartbeat', payload: { progress: i } }, T0 + i);
          if (i % 5 === 0) await tx.events.append({ actor: `r${i % 3}`, type: 'agent.registered', payload: { name: `second in one transaction ${i}`, role: null, workspace: null, capabilities: [] } }, T0 + i);
        }),
      ),
    );
    let prev = GENESIS_HASH;
    let expected = 1;
    for (let after = 0; ; ) {
      const page = await replica(1).read((tx) => tx.events.listRaw(after, 50));
      for (const row of page) {
        expect(row.seq).toBe(expected++);
        expect(row.prev_hash).toBe(prev);
        const hash = eventHash({ seq: row.seq, at: row.at, actor: row.actor, type: row.type, agentId: row.agent_id, runId: row.run_id, subjectId: row.subject_id, payloadJson: row.payload, prevHash: row.prev_hash });
        expect(hash).toBe(row.hash);
        prev = row.hash;
      }
      if (page.length < 50) break;
      after = page[page.length - 1]!.seq;
    }
    expect(expected - 1).toBeGreaterThanOrEqual(90 + 18);
    expect(await replica(2).integrityCheck()).toEqual([]);
  });

  it('a commit on one replica wakes the others through LISTEN/NOTIFY', async () => {
    const listener = await open();
    try {
      let wake!: (seq: number) => void;
      const woken = new Promise<number>((r) => (wake = r));
      await listener.listen((seq) => {
        if (seq > 0) wake(seq);
      });
      const before = await replica(0).read((tx) => tx.events.lastSeq());
      await replica(2).write((tx) => tx.events.append({ actor: 'r2', type: 'agent.heartbeat', payload: {} }, T0));
      expect(await woken).toBeGreaterThan(before);
    } finally {
      await listener.close();
    }
  });

  it('appended events are readable inside their own transaction, and a rollback leaves no trace', async () => {
    const before = await replica(0).read((tx) => tx.events.lastSeq());
    const seen = await replica(0).write(async (tx) => {
      await tx.events.append({ actor: 'me', type: 'agent.heartbeat', subjectId: 'own-read', payload: {} }, T0);
      return { own: await tx.events.list({ subjectId: 'own-read', limit: 10 }), last: await tx.events.lastSeq() };
    });
    // its own events are visible to the transaction; the log gets them (with their seq) once sealed after commit
    expect(seen.own.map((e) => e.actor)).toEqual(['me']);
    expect(seen.last).toBe(before);
    expect(await replica(1).read((tx) => tx.events.lastSeq())).toBe(before + 1);
    await expect(
      replica(1).write(async (tx) => {
        await tx.events.append({ actor: 'me', type: 'agent.registered', payload: { name: 'alice', role: null, workspace: null, capabilities: [] } }, T0);
        await tx.events.lastSeq();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await replica(2).read((tx) => tx.events.lastSeq())).toBe(before + 1);
    expect(await replica(2).integrityCheck()).toEqual([]);
  });
});
