import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash, GENESIS_HASH } from '../../../src/domain/event.js';
import type { FleetEvent } from '../../../src/domain/event.js';
import { ChangeFeed } from '../../../src/services/change-feed.js';
import type { RawEventRow } from '../../../src/store/port/events.js';
import { PgStore } from '../../../src/store/postgres/pg-store.js';
import { silentLogger } from '../../helpers/app.js';
import { createTestDatabase, postgresOrSkip, type TestDatabase } from '../../helpers/postgres.js';
import { T0 } from './fixtures.js';

const available = await postgresOrSkip('PostgreSQL sealer tests');

/**
 * The audit chain without a fleet-wide lock (migration 014): writers commit their events into an
 * inbox and the sealer chains them after commit. Three stores stand for three replicas.
 */
describe.skipIf(!available)('PostgreSQL audit chain sealed after commit', () => {
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

  async function allRows(): Promise<RawEventRow[]> {
    const rows: RawEventRow[] = [];
    for (let after = 0; ; ) {
      const page = await replicas[0]!.read((tx) => tx.events.listRaw(after, 500));
      rows.push(...page);
      if (page.length < 500) return rows;
      after = page[page.length - 1]!.seq;
    }
  }

  function expectOneVerifiedLine(rows: RawEventRow[]): void {
    let prev = GENESIS_HASH;
    rows.forEach((row, i) => {
      expect(row.seq).toBe(i + 1);
      expect(row.prev_hash).toBe(prev);
      const hash = eventHash({ seq: row.seq, at: row.at, actor: row.actor, type: row.type, agentId: row.agent_id, runId: row.run_id, subjectId: row.subject_id, payloadJson: row.payload, prevHash: row.prev_hash });
      expect(row.hash).toBe(hash);
      prev = row.hash;
    });
  }

  it('the sealer hashes exactly as eventHash does, awkward strings included', async () => {
    const awkward = ['quote " and \\ backslash', 'controls \b\f\n\r\t \u0001\u001f\u007f', 'unicode é ✓ 𝄞 \u2028\u2029', '</script>/slash', ''];
    const rows = await replicas[1]!.pool.query<{ hash: string; s: string }>(
      `SELECT s, fleetdeck_event_hash($2, 7, $3, s, 'type.x', NULL, s, 'subj', $4) AS hash FROM unnest($1::text[]) AS s`,
      [awkward, 'a'.repeat(64), T0, JSON.stringify({ k: awkward })],
    );
    for (const r of rows.rows) {
      expect(r.hash).toBe(eventHash({ prevHash: 'a'.repeat(64), seq: 7, at: T0, actor: r.s, type: 'type.x', agentId: null, runId: r.s, subjectId: 'subj', payloadJson: JSON.stringify({ k: awkward }) }));
    }
  });

  it('concurrent committers on three replicas make one gapless verified chain, and the change feed never skips or reorders', async () => {
    // a follower on each replica, like subscriptions / await_update in three serve processes
    const seen: number[][] = [[], [], []];
    const feeds = replicas.map((r, i) => {
      const feed = new ChangeFeed(r, 5);
      feed.subscribe((events: FleetEvent[]) => seen[i]!.push(...events.map((e) => e.seq)));
      return feed;
    });
    const before = await replicas[0]!.read((tx) => tx.events.lastSeq());
    const writers = 24;
    const perWriter = 10;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          await replicas[w % 3]!.write(async (tx) => {
            await tx.events.append({ actor: `w${w}`, type: 'agent.heartbeat', payload: { progress: i } }, T0 + i);
            if (i % 3 === 0) await tx.events.append({ actor: `w${w}`, type: 'agent.heartbeat', payload: { note: `second ${i}` } }, T0 + i);
          });
          // every acknowledged write is already in the log when write() returns (sealed in its commit round trip)
        }
      }),
    );
    const expected = before + writers * (perWriter + Math.ceil(perWriter / 3));
    expect(await replicas[2]!.read((tx) => tx.events.lastSeq())).toBe(expected);
    const rows = await allRows();
    expect(rows).toHaveLength(expected);
    expectOneVerifiedLine(rows);
    // each writer's own events are in its order
    for (let w = 0; w < writers; w++) {
      const mine = rows.filter((r) => r.actor === `w${w}`).map((r) => JSON.parse(r.payload) as { progress?: number; note?: string });
      const progress = mine.flatMap((p) => (p.progress === undefined ? [] : [p.progress]));
      expect(progress).toEqual(Array.from({ length: perWriter }, (_, i) => i));
    }
    // the followers saw every seq once, in order, from where they started
    const deadline = Date.now() + 10_000;
    while (seen.some((s) => s[s.length - 1] !== expected) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const s of seen) {
      expect(s.length).toBeGreaterThan(0);
      expect(s).toEqual(Array.from({ length: s.length }, (_, i) => s[0]! + i));
      expect(s[s.length - 1]).toBe(expected);
    }
    feeds.forEach((f) => f.close());
    expect(await replicas[1]!.integrityCheck()).toEqual([]);
    const inbox = await replicas[0]!.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM event_inbox');
    expect(inbox.rows[0]!.n).toBe(0);
  });

  it('a transaction held open with appended events does not hold up the commits or the sealing of other replicas', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let appended = false;
    const slow = replicas[0]!.write(async (tx) => {
      await tx.events.append({ actor: 'slow', type: 'agent.heartbeat', payload: {} }, T0);
      // before migration 014 reading the log here chained the event under the head's row lock,
      // held until this commit: every other writer of the fleet waited for it
      await tx.events.list({ types: ['agent.heartbeat'], limit: 1 });
      await tx.events.lastSeq();
      appended = true;
      await held;
    });
    while (!appended) await new Promise((r) => setTimeout(r, 2));
    const before = await replicas[1]!.read((tx) => tx.events.lastSeq());
    // commits and sealing go on around an open transaction that has appended events
    await Promise.all([1, 2].map((i) => replicas[i]!.write((tx) => tx.events.append({ actor: `fast${i}`, type: 'agent.heartbeat', payload: {} }, T0))));
    expect(await replicas[1]!.read((tx) => tx.events.lastSeq())).toBe(before + 2);
    release();
    await slow;
    expect(await replicas[2]!.read((tx) => tx.events.lastSeq())).toBe(before + 3);
    expectOneVerifiedLine(await allRows());
  });

  it('events left in the inbox by a writer that never sealed are sealed by any replica', async () => {
    const before = await replicas[0]!.read((tx) => tx.events.lastSeq());
    // a writer whose connection dropped right after COMMIT: its rows are committed, unsealed
    await replicas[0]!.pool.query(`SELECT fleetdeck_append('[{"at":1,"actor":"orphan","type":"agent.heartbeat","agent_id":null,"run_id":null,"subject_id":null,"payload":"{}","i":0}]'::json)`);
    expect(await replicas[1]!.read((tx) => tx.events.lastSeq())).toBe(before);
    expect(await replicas[2]!.seal()).toBe(before + 1);
    expect(await replicas[1]!.read((tx) => tx.events.lastSeq())).toBe(before + 1);
    expectOneVerifiedLine(await allRows());
  });
});
