import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { CLI, spawnServer, type StdioClient } from '../helpers/stdio.js';

const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await run(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, FLEETDECK_LOG_LEVEL: 'warn' } });
    return { code: 0, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * A backup of a fleet that is being written: two server processes keep submitting, taking,
 * evidencing and finishing runs (a blob large enough to live in the data directory among the
 * evidence) while `fleetdeck backup` copies the file. The restored copy elsewhere passes doctor
 * and audit verify, and holds every run acknowledged before the backup started.
 */
describe('fleetdeck backup and restore', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  const workers: StdioClient[] = [];
  beforeEach(() => {
    tmp = tempDir('fleetdeck-backup-');
    db = join(tmp.dir, 'fleet.db');
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close().catch(() => {})));
    tmp.cleanup();
  });

  it('copies a live fleet consistently while writers run; the restore verifies elsewhere', async () => {
    for (const name of ['w1', 'w2']) {
      const w = await spawnServer({ db, args: ['--agent', name, '--role', 'worker'] });
      workers.push(w);
    }
    const big = 'x'.repeat(300_000); // above the inline limit: a blob file in the data directory
    const before: string[] = [];
    const cycle = async (w: StdioClient, i: number) => {
      const sub = await w.ok<{ run_id: string }>('submit_task', { title: `job ${i}`, instructions: 'do it', to_role: 'worker' });
      const taken = await w.ok<{ run: { run_id: string } | null }>('take_task', {});
      if (!taken.run) return sub.run_id;
      const evidence = await w.ok<{ artifact_id: string }>('attach_evidence', { run_id: taken.run.run_id, kind: 'log', content: i % 5 === 0 ? big : `log ${i}` });
      await w.ok('submit_result', { run_id: taken.run.run_id, outcome: 'completed', summary: `done ${i}`, evidence: [evidence.artifact_id] });
      return sub.run_id;
    };
    for (let i = 0; i < 10; i++) before.push(await cycle(workers[i % 2]!, i));

    let writing = true;
    let during = 0;
    const load = workers.map(async (w, k) => {
      for (let i = 0; writing; i++) {
        await cycle(w, 1000 * (k + 1) + i);
        during++;
      }
    });
    const backupFile = join(tmp.dir, 'fleet-backup.db');
    const backup = await cli(['backup', backupFile, '--db', db, '--json']);
    writing = false;
    await Promise.all(load);
    expect(backup.code, backup.stderr).toBe(0);
    const report = JSON.parse(backup.stdout) as { bytes: number; dataFiles: number };
    expect(report.dataFiles).toBeGreaterThanOrEqual(1);
    expect(during).toBeGreaterThan(0);

    // a second backup to the same name is refused, and changes nothing
    expect((await cli(['backup', backupFile, '--db', db])).code).not.toBe(0);

    const elsewhere = join(tmp.dir, 'restored');
    const restore = await cli(['restore', backupFile, '--data-dir', elsewhere, '--json']);
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    const restored = JSON.parse(restore.stdout) as { db: string; ok: boolean; audit: { ok: boolean; events: number } };
    expect(restored.ok).toBe(true);
    expect(restored.audit.events).toBeGreaterThan(0);
    expect(existsSync(join(elsewhere, 'audit-anchor.json'))).toBe(true);

    const doctor = await cli(['doctor', '--db', restored.db, '--json']);
    const checks = JSON.parse(doctor.stdout) as { checks: { name: string; status: string; detail: string }[] };
    const database = checks.checks.find((c) => c.name === 'database');
    expect(database?.status, JSON.stringify(checks.checks)).toBe('ok');
    const verify = await cli(['audit', 'verify', '--db', restored.db, '--json']);
    expect(verify.code).toBe(0);

    // everything acknowledged before the backup began is in the copy, evidence bytes included
    const runs = await cli(['runs', '--db', restored.db, '--json', '--state', 'completed']);
    const listed = JSON.parse(runs.stdout) as { runs: { run_id?: string; id?: string }[] };
    const ids = new Set(listed.runs.map((r) => r.run_id ?? r.id));
    for (const id of before) expect(ids.has(id)).toBe(true);

    // restoring over an existing fleet is refused
    expect((await cli(['restore', backupFile, '--data-dir', elsewhere])).code).not.toBe(0);
  }, 120_000);

  it('refuses what it cannot do, creating nothing', async () => {
    const missing = await cli(['backup', join(tmp.dir, 'b.db'), '--db', join(tmp.dir, 'nope.db')]);
    expect(missing.code).not.toBe(0);
    expect(existsSync(join(tmp.dir, 'b.db'))).toBe(false);
    const notBackup = join(tmp.dir, 'plain.txt');
    await import('node:fs').then((fs) => fs.writeFileSync(notBackup, 'hello'));
    const bad = await cli(['restore', notBackup, '--data-dir', join(tmp.dir, 'out')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr + bad.stdout).toMatch(/not a fleetdeck backup/);
    expect(existsSync(join(tmp.dir, 'out', 'fleet.db'))).toBe(false);
    const pg = await cli(['backup', join(tmp.dir, 'pg.db'), '--db', 'postgres://postgres@127.0.0.1:5432/postgres']);
    expect(pg.code).not.toBe(0);
    expect(pg.stderr + pg.stdout).toMatch(/pg_dump/);
  });
});
