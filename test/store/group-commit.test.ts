import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Tx } from '../../src/store/port/index.js';
import { tempDir } from '../helpers/app.js';

const NOW = Date.UTC(2026, 11, 7, 12);

const append = (tx: Tx, i: number) => tx.events.append({ actor: 'system', type: 'agent.heartbeat', payload: { note: String(i) } }, NOW);

/**
 * Group commit in one process (issue 22): concurrent writes share one transaction and its flush,
 * each keeping its all-or-nothing meaning, and none is answered before the shared commit.
 */
describe('group commit', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let store: SqliteStore;
  /** another connection on the file: what it sees is what is committed */
  let outside: Database.Database;

  beforeEach(async () => {
    tmp = tempDir('fleetdeck-group-');
    file = join(tmp.dir, 'fleet.db');
    store = await SqliteStore.open({ file, synchronous: 'FULL', now: () => NOW });
    outside = new Database(file, { readonly: true });
  });
  afterEach(async () => {
    outside.close();
    await store.close();
    tmp.cleanup();
  });

  const committedSeqs = () => outside.prepare('SELECT seq FROM events ORDER BY seq').pluck().all() as number[];

  it('batches concurrent writes into one commit, in arrival order', async () => {
    await store.write((tx) => append(tx, 0)); // alone: nothing else was waiting
    const before = { ...store.writeStats };
    // calls arriving while a batch holds the lock wait for it and form the next batch together
    const seqs = await Promise.all(Array.from({ length: 10 }, async (_, i) => (await store.write((tx) => append(tx, i + 1))).seq));
    expect(seqs).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const stats = store.writeStats;
    expect(stats.calls - before.calls).toBe(10);
    expect(stats.commits - before.commits).toBeLessThanOrEqual(2);
    expect(stats.largestBatch).toBeGreaterThanOrEqual(9);
    expect(committedSeqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('rolls a failing call back to its own savepoint: its batchmates commit, it changes nothing', async () => {
    const blocker = store.write((tx) => append(tx, 0));
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((i) =>
        store.write(async (tx) => {
          const event = await append(tx, i);
          if (i === 3) throw new Error('call 3 breaks a rule after writing');
          return event.seq;
        }),
      ),
    );
    await blocker;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toEqual(new Error('call 3 breaks a rule after writing'));
    const payloads = outside.prepare('SELECT payload FROM events ORDER BY seq').pluck().all() as string[];
    expect(payloads.map((p) => Number((JSON.parse(p) as { note: string }).note))).toEqual([0, 1, 2, 4]);
    expect(store.writeStats.largestBatch).toBe(4);
    expect(store.writeStats.failed).toBe(1);
    // the chain has no gap where the failed call's event was: seq and prev_hash follow on
    const chain = outside.prepare('SELECT seq, prev_hash, hash FROM events ORDER BY seq').all() as { seq: number; prev_hash: string; hash: string }[];
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    chain.slice(1).forEach((e, i) => expect(e.prev_hash).toBe(chain[i]!.hash));
  });

  it('answers no call of a batch before the shared commit', async () => {
    const blocker = store.write((tx) => append(tx, 0));
    const seenAtAnswer: boolean[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map(async (i) => {
        const event = await store.write((tx) => append(tx, i));
        // the moment this call is answered, another connection must already see its write
        seenAtAnswer.push(committedSeqs().includes(event.seq));
      }),
    );
    await blocker;
    expect(seenAtAnswer).toEqual([true, true, true, true, true]);
    expect(store.writeStats.largestBatch).toBe(5);
  });

  it('commits a batch of signs of life without a flush, anything else durably', async () => {
    const level = () => store.db.pragma('synchronous', { simple: true }) as number;
    const levels: number[] = [];
    await store.write(async (tx) => {
      levels.push(level());
      return append(tx, 1);
    }, { soft: () => true });
    expect(levels).toEqual([1]); // NORMAL
    expect(store.writeStats.softCommits).toBe(1);

    await store.write(async (tx) => {
      levels.push(level());
      return append(tx, 2);
    });
    expect(levels).toEqual([1, 2]); // FULL again for a state change
    expect(store.writeStats.softCommits).toBe(1);

    // a soft batch joined by one durable call commits durably as a whole
    const blocker = store.write((tx) => append(tx, 3));
    await Promise.all([
      store.write((tx) => append(tx, 4), { soft: () => true }),
      store.write(async (tx) => {
        levels.push(level());
        return append(tx, 5);
      }),
    ]);
    await blocker;
    expect(levels).toEqual([1, 2, 2]);
    expect(store.writeStats.softCommits).toBe(1);
  });

  it('runs a would-be soft batch again durably when a call turns out to change state', async () => {
    const levels: number[] = [];
    let runs = 0;
    const event = await store.write(
      async (tx) => {
        runs++;
        levels.push(store.db.pragma('synchronous', { simple: true }) as number);
        return append(tx, runs);
      },
      { soft: () => false },
    );
    expect(levels).toEqual([1, 2]); // begun at NORMAL, rolled back, committed at FULL
    expect(event.seq).toBe(1);
    expect(committedSeqs()).toEqual([1]); // the first attempt left nothing behind
    expect(store.writeStats).toMatchObject({ hardened: 1, softCommits: 0, commits: 1, calls: 1 });
  });

  it('flushes soft commits within a second when nothing else does', async () => {
    await store.write((tx) => append(tx, 1), { soft: () => true });
    expect(store.writeStats.softFlushes).toBe(0);
    await vi.waitFor(() => expect(store.writeStats.softFlushes).toBe(1), { timeout: 3_000, interval: 50 });
    // nothing soft since: no more flushes
    await store.write((tx) => append(tx, 2));
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(store.writeStats.softFlushes).toBe(1);
  });
});
