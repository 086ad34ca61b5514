import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/services/audit.js';
import { openTestApp, tempDir } from '../helpers/app.js';
import { spawnServer, type StdioClient } from '../helpers/stdio.js';

const PROCESSES = 8;
const ROUNDS = 4;
const PER_ROUND = 5; // heartbeats in flight at once per process

describe('eight server processes on one file', () => {
  let tmp: ReturnType<typeof tempDir>;
  const clients: StdioClient[] = [];
  beforeEach(() => {
    tmp = tempDir('fleetdeck-multi-');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
    tmp.cleanup();
  });

  it('register and heartbeat concurrently: no error reaches a client, every event is there, the chain verifies', async () => {
    const db = join(tmp.dir, 'fleet.db');
    // all start at once on a file that does not exist yet: they also race to create and migrate it
    clients.push(...(await Promise.all(Array.from({ length: PROCESSES }, () => spawnServer({ db, args: ['--sweep-seconds', '0.2'] })))));

    const errors: string[] = [];
    const sent = new Map<string, string[]>(); // agent id → the notes it sent
    await Promise.all(
      clients.map(async (c, i) => {
        const reg = await c.call('register_agent', { name: `worker-${i}`, role: 'implementer' });
        if (reg.isError) {
          errors.push(JSON.stringify(reg.structuredContent));
          return;
        }
        const agentId = (reg.structuredContent as { agent_id: string }).agent_id;
        const notes: string[] = [];
        sent.set(agentId, notes);
        for (let round = 0; round < ROUNDS; round++) {
          const batch = Array.from({ length: PER_ROUND }, (_, k) => `w${i}-r${round}-k${k}`);
          const results = await Promise.all([
            ...batch.map((note) => c.call('heartbeat', { note, status: 'working' })),
            c.call('whoami'),
            c.call('fleet_status'),
          ]);
          for (const r of results) if (r.isError) errors.push(JSON.stringify(r.structuredContent));
          notes.push(...batch);
        }
      }),
    );
    expect(errors).toEqual([]);
    expect(sent.size).toBe(PROCESSES);
    await Promise.all(clients.splice(0).map((c) => c.close()));

    const t = await openTestApp({}, tmp.dir);
    try {
      const events = await t.app.deps.store.read(async (tx) => await tx.events.list({ limit: 100_000 }));
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1)); // no gap, no fork
      for (const [agentId, notes] of sent) {
        const mine = events.filter((e) => e.agentId === agentId);
        expect(mine.filter((e) => e.type === 'agent.registered')).toHaveLength(1);
        const heartbeatNotes = mine.filter((e) => e.type === 'agent.heartbeat').map((e) => e.payload.note as string);
        expect(heartbeatNotes.sort()).toEqual([...notes].sort());
      }
      expect(events.filter((e) => e.type === 'agent.heartbeat')).toHaveLength(PROCESSES * ROUNDS * PER_ROUND);
      const report = await verifyAudit(t.app.deps);
      expect(report).toMatchObject({ ok: true, events: events.length, firstBroken: null });
      expect(await t.app.deps.store.integrityCheck()).toEqual([]);
      expect(await t.app.deps.store.schemaVersion()).toBeGreaterThan(0);
    } finally {
      t.close();
    }
  }, 240_000); // several server processes start and work on two shared cores
});
