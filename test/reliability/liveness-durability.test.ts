/**
 * Liveness is soft state, state changes are not (issue 22). A `serve` process (the built dist/cli.js
 * over stdio) takes a burst of concurrent heartbeats and state changes — they share commits (group
 * commit), heartbeats commit without a flush — and is killed with SIGKILL the moment it has
 * acknowledged a state change. The file alone is judged afterwards: every acknowledged run, claim
 * and handoff is there, the audit chain verifies and `PRAGMA integrity_check` is ok.
 *
 * What this cannot show: a kill -9 loses the process, not the operating system's page cache, so a
 * commit written without an fsync survives it too. A power loss is what an unflushed commit does
 * not survive, and no test here can pull the power; docs/identity-and-liveness.md reasons about it
 * (a FULL commit's fsync of the log covers every commit before it, and soft commits are flushed
 * within a second).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { CLI, REPO_ROOT, spawnServer, waitForExit, type StdioClient } from '../helpers/stdio.js';
import { integrityCheck, openFile } from './helpers/inspect.js';

const ROUNDS = 30;

describe('kill -9 right after acknowledging', () => {
  const tmp = tempDir('fleetdeck-durability-');
  afterAll(() => tmp.cleanup());

  it('loses no acknowledged state change in a burst of heartbeats and writes', async () => {
    const db = join(tmp.dir, 'fleet.db');
    const server: StdioClient = await spawnServer({ db });
    const acked = { runs: new Set<string>(), claims: new Set<string>(), handoffs: new Set<string>() };
    let heartbeats = 0;
    let killedAfter: string | null = null;
    try {
      await server.ok('register_agent', { name: 'burst', role: 'implementer' });
      const stateChange = async (round: number, i: number): Promise<void> => {
        const run = await server.ok<{ run_id: string }>('submit_task', { title: `r${round}-${i}`, instructions: 'x', to_role: 'reviewer' });
        acked.runs.add(run.run_id);
        if (killedAfter === null && round === ROUNDS - 1) {
          // the last round: the very first acknowledgement ends the process, other calls still in flight
          killedAfter = run.run_id;
          process.kill(server.pid, 'SIGKILL');
        }
      };
      const claim = async (round: number): Promise<void> => {
        const r = await server.ok<{ granted: boolean; claims: { claim_id: string }[] }>('claim_scope', { scopes: [{ kind: 'resource', pattern: `burst:${round}` }] });
        expect(r.granted).toBe(true);
        for (const c of r.claims) acked.claims.add(c.claim_id);
      };
      const handoff = async (round: number): Promise<void> => {
        const started = await server.ok<{ run_id: string }>('start_run', { title: `own ${round}` });
        acked.runs.add(started.run_id);
        const h = await server.ok<{ handoff_id: string }>('handoff', { run_id: started.run_id, to_role: 'reviewer', summary: 's', next_action: 'n' });
        acked.handoffs.add(h.handoff_id);
      };
      const heartbeat = async (round: number, i: number): Promise<void> => {
        await server.ok('heartbeat', { note: `round ${round} beat ${i}`, progress: i / 10 });
        heartbeats++;
      };
      for (let round = 0; round < ROUNDS; round++) {
        // many calls in flight at once on the one connection: they share commits inside the server
        const calls = [
          ...Array.from({ length: 6 }, (_, i) => heartbeat(round, i)),
          ...Array.from({ length: 3 }, (_, i) => stateChange(round, i)),
          claim(round),
          handoff(round),
        ];
        const settled = await Promise.allSettled(calls);
        if (round < ROUNDS - 1) for (const s of settled) if (s.status === 'rejected') throw s.reason;
      }
    } finally {
      await server.close().catch(() => {});
    }
    expect(killedAfter).not.toBeNull();
    expect(await waitForExit(server.pid)).toBe(true);
    expect(heartbeats).toBeGreaterThan(ROUNDS * 5);

    const file = openFile(db, true);
    try {
      const has = (table: string, ids: Set<string>) => {
        const stmt = file.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).pluck();
        return [...ids].filter((id) => stmt.get(id) === undefined);
      };
      expect(has('runs', acked.runs)).toEqual([]);
      expect(has('claims', acked.claims)).toEqual([]);
      expect(has('handoffs', acked.handoffs)).toEqual([]);
      expect(acked.runs.has(killedAfter!)).toBe(true);
      expect(integrityCheck(file)).toEqual(['ok']);
    } finally {
      file.close();
    }
    const verify = spawnSync(process.execPath, [CLI, 'audit', 'verify', '--db', db], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  }, 120_000);
});
