import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetError } from '../../src/domain/errors.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/app.js';

const NOW = Date.UTC(2026, 10, 23, 12);

/** Another process holding the write lock: the store waits between attempts, without blocking the event loop. */
describe('busy handling', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let holder: Database.Database;
  beforeEach(async () => {
    tmp = tempDir('fleetdeck-store-');
    file = join(tmp.dir, 'fleet.db');
    await (await SqliteStore.open({ file, synchronous: 'FULL', now: () => NOW })).close();
    holder = new Database(file, { timeout: 0 });
  });
  afterEach(() => {
    if (holder.inTransaction) holder.prepare('ROLLBACK').run();
    holder.close();
    tmp.cleanup();
  });

  it('retries while another connection holds BEGIN IMMEDIATE and succeeds once it commits', async () => {
    const store = await SqliteStore.open({ file, synchronous: 'FULL', now: () => NOW });
    holder.prepare('BEGIN IMMEDIATE').run();
    holder.prepare("INSERT INTO events (seq, at, actor, type, payload, prev_hash, hash) VALUES (1, 1, 'holder', 'held', '{}', ?, ?)").run('0'.repeat(64), 'h'.repeat(64));
    let released = false;
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    setTimeout(() => {
      holder.prepare('COMMIT').run();
      released = true;
    }, 300);

    // readers are not blocked by the writer (WAL): they see the last committed state
    expect(await store.read(async (tx) => await tx.events.count())).toBe(0);
    const event = await store.write(async (tx) => await tx.events.append({ actor: 'system', type: 'agent.heartbeat', payload: {} }, NOW));
    clearInterval(ticker);

    expect(released).toBe(true); // it could only have committed after the holder let go
    expect(ticks).toBeGreaterThan(0); // and the event loop kept running while it waited
    expect(event.seq).toBe(2); // chained after the holder's event, not forked
    expect(event.prevHash).toBe('h'.repeat(64));
    await store.close();
  });

  it('gives up with BUSY after its deadline and writes nothing', async () => {
    const store = await SqliteStore.open({ file, synchronous: 'FULL', now: () => NOW, busyDeadlineMs: 150 });
    holder.prepare('BEGIN IMMEDIATE').run();
    const error = await store.write(async (tx) => await tx.events.append({ actor: 'system', type: 'agent.heartbeat', payload: {} }, NOW)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    expect((error as FleetError).code).toBe('BUSY');
    expect((error as FleetError).hint).toBeTruthy();
    holder.prepare('ROLLBACK').run();
    expect(await store.read(async (tx) => await tx.events.count())).toBe(0);
    await store.close();
  });

  it('rolls back a transaction that awaits anything but its repositories (nothing else may hold the lock)', async () => {
    const store = await SqliteStore.open({ file, synchronous: 'FULL', now: () => NOW });
    await expect(
      store.write(async (tx) => {
        await tx.events.append({ actor: 'system', type: 'agent.heartbeat', payload: {} }, NOW);
        await new Promise((resolve) => setTimeout(resolve, 1));
        return 1;
      }),
    ).rejects.toThrow(/awaited something other than its repositories/);
    expect(await store.read(async (tx) => await tx.events.count())).toBe(0);
    // the connection is usable afterwards
    expect(await store.write(async (tx) => (await tx.events.append({ actor: 'system', type: 'agent.heartbeat', payload: {} }, NOW)).seq)).toBe(1);
    await store.close();
  });

  it('runs one write at a time per process, in order, and reads never see an open one', async () => {
    const store = await SqliteStore.open({ file, synchronous: 'FULL', now: () => NOW });
    const seen: number[] = [];
    const writers = Array.from({ length: 20 }, (_, i) =>
      store.write(async (tx) => {
        const before = await tx.events.lastSeq();
        // a read started while this write is open sees only committed events
        seen.push(await store.read(async (r) => await r.events.lastSeq()));
        await tx.events.append({ actor: 'system', type: 'agent.heartbeat', payload: { progress: i } }, NOW);
        return before;
      }),
    );
    const befores = await Promise.all(writers);
    expect(befores).toEqual(Array.from({ length: 20 }, (_, i) => i)); // FIFO, never interleaved
    // the open transaction's own append (and its batchmates' before it) were never visible to readers
    seen.forEach((s, i) => expect(s).toBeLessThanOrEqual(befores[i]!));
    expect(seen[0]).toBe(0);
    await store.close();
  });
});
