import { isEventOf } from '../../src/domain/event.js';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/services/audit.js';
import { openTestApp, tempDir } from '../helpers/app.js';
import { initializeRaw, spawnRaw, spawnServer, waitForExit, type RawServer, type StdioClient } from '../helpers/stdio.js';

const IN_FLIGHT = 4;
const ACKS_BEFORE_KILL = 25;

/** Keeps IN_FLIGHT heartbeats going until `stop()`, or until the connection dies; records what was acknowledged. */
function pump(c: StdioClient, tag: string, stop: () => boolean) {
  const acked: string[] = [];
  const errors: string[] = [];
  let k = 0;
  const worker = async () => {
    while (!stop()) {
      const note = `${tag}-${k++}`;
      let result;
      try {
        result = await c.call('heartbeat', { note });
      } catch {
        return; // the process is gone: unacknowledged
      }
      if (result.isError) errors.push(JSON.stringify(result.structuredContent));
      else acked.push(note);
    }
  };
  const done = Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { acked, errors, done };
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('kill -9 while writing', () => {
  let tmp: ReturnType<typeof tempDir>;
  const clients: StdioClient[] = [];
  const raws: RawServer[] = [];
  beforeEach(() => {
    tmp = tempDir('fleetdeck-crash-');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
    for (const r of raws.splice(0)) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    tmp.cleanup();
  });

  it('keeps every acknowledged write, and the file, the chain and the survivors stay sound', async () => {
    const db = join(tmp.dir, 'fleet.db');
    clients.push(...(await Promise.all(Array.from({ length: 4 }, () => spawnServer({ db })))));
    const agents: string[] = [];
    for (const [i, c] of clients.entries()) agents.push((await c.ok<{ agent_id: string }>('register_agent', { name: `crash-${i}`, role: 'implementer' })).agent_id);

    let victimsDead = false;
    let stopSurvivors = false;
    const pumps = clients.map((c, i) => pump(c, `p${i}`, () => (i < 2 ? victimsDead : stopSurvivors)));
    await until(() => pumps.every((p) => p.acked.length >= ACKS_BEFORE_KILL), 'first acknowledgements');

    // two processes die mid-stream, with heartbeats in flight
    const survivorsBefore = pumps.slice(2).map((p) => p.acked.length);
    for (const victim of clients.slice(0, 2)) process.kill(victim.pid, 'SIGKILL');
    for (const victim of clients.slice(0, 2)) expect(await waitForExit(victim.pid)).toBe(true);
    victimsDead = true;
    await Promise.all(pumps.slice(0, 2).map((p) => p.done));

    // the survivors keep writing to the same file after the crash
    await until(() => pumps.slice(2).every((p, i) => p.acked.length >= survivorsBefore[i]! + ACKS_BEFORE_KILL), 'writes after the crash');
    stopSurvivors = true;
    await Promise.all(pumps.slice(2).map((p) => p.done));
    for (const p of pumps.slice(2)) expect(p.errors).toEqual([]);
    for (const p of pumps.slice(0, 2)) expect(p.errors).toEqual([]);

    // registrations killed right after they were sent: whichever were acknowledged must exist
    const registering = Array.from({ length: 3 }, () => {
      const r = spawnRaw({ db });
      raws.push(r);
      return r;
    });
    await Promise.all(registering.map((r) => initializeRaw(r)));
    const pending = registering.map((r, i) => r.request('tools/call', { name: 'register_agent', arguments: { name: `late-${i}`, role: 'implementer' } }).catch(() => null));
    // the first answer lets one of them acknowledge; the others die wherever they are
    await Promise.race(pending);
    for (const r of registering) r.child.kill('SIGKILL');
    const lateAcked = (await Promise.all(pending))
      .map((m) => (m?.result as { structuredContent?: { agent_id?: string } } | undefined)?.structuredContent?.agent_id)
      .filter((id): id is string => typeof id === 'string');
    expect(lateAcked.length).toBeGreaterThan(0);

    await Promise.all(clients.slice(2).map((c) => c.close()));

    const t = await openTestApp({}, tmp.dir);
    try {
      expect(await t.app.deps.store.integrityCheck()).toEqual([]);
      expect(await verifyAudit(t.app.deps)).toMatchObject({ ok: true, firstBroken: null });
      const stored = await t.app.deps.store.read(async (tx) => ({
        agents: new Set((await tx.agents.list()).map((a) => a.id)),
        notes: new Set(
          (await tx.events
            .list({ types: ['agent.heartbeat'], limit: 1_000_000 }))
            .map((e) => (isEventOf(e, 'agent.heartbeat') ? e.payload.note : null) as string),
        ),
      }));
      for (const id of [...agents, ...lateAcked]) expect(stored.agents.has(id), id).toBe(true);
      const acked = pumps.flatMap((p) => p.acked);
      expect(acked.length).toBeGreaterThanOrEqual(4 * ACKS_BEFORE_KILL);
      expect(acked.filter((note) => !stored.notes.has(note))).toEqual([]);
    } finally {
      t.close();
    }

    // and a new process starts on the file and works
    const fresh = await spawnServer({ db });
    clients.push(fresh);
    const who = await fresh.ok<{ agent_id: string }>('register_agent', { name: 'after', role: 'implementer' });
    expect((await fresh.ok<{ liveness: string }>('heartbeat', {})).liveness).toBe('active');
    expect(who.agent_id).toMatch(/^agt_/);
  }, 240_000); // several server processes start and work on two shared cores
});
