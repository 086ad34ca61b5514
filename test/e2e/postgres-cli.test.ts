import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { createTestDatabase, postgresOrSkip, type TestDatabase } from '../helpers/postgres.js';
import { CLI, REPO_ROOT } from '../helpers/stdio.js';

const available = await postgresOrSkip('the fleetdeck CLI on PostgreSQL');
const exec = promisify(execFile);

/** The same CLI, the same JSON, on a postgres:// URL: doctor, tokens, submit/status/runs, stats, audit verify. */
describe.skipIf(!available)('fleetdeck CLI with --db postgres://…', () => {
  let db: TestDatabase;
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    db = await createTestDatabase();
    tmp = tempDir();
  });
  afterAll(async () => {
    await db?.drop();
    tmp?.cleanup();
  });

  async function fleetdeck(...args: string[]): Promise<{ json: Record<string, unknown>; code: number; stderr: string }> {
    try {
      const { stdout, stderr } = await exec(process.execPath, [CLI, ...args, '--db', db.url, '--data-dir', tmp.dir, '--json'], { cwd: REPO_ROOT });
      return { json: JSON.parse(stdout) as Record<string, unknown>, code: 0, stderr };
    } catch (error) {
      const e = error as { stdout: string; stderr: string; code: number };
      return { json: e.stdout ? (JSON.parse(e.stdout) as Record<string, unknown>) : {}, code: e.code, stderr: e.stderr };
    }
  }

  it('creates its tables in an existing empty database and answers every read and write command', async () => {
    const token = await fleetdeck('token', 'create', '--agent', 'alice', '--role', 'implementer');
    expect(token.code).toBe(0);
    expect(await fleetdeck('token', 'list')).toMatchObject({ code: 0, json: { tokens: [expect.objectContaining({ kind: 'agent' })] } });

    const task = join(tmp.dir, 'task.md');
    writeFileSync(task, '# Build it\n\nmake the build green\n');
    const submitted = await fleetdeck('submit', '--to', 'implementer', '--file', task, '--type', 'build');
    expect(submitted.code, submitted.stderr).toBe(0);
    const runs = await fleetdeck('runs');
    expect(runs.code).toBe(0);
    expect(JSON.stringify(runs.json)).toContain('queued');

    const stats = await fleetdeck('stats');
    expect(stats).toMatchObject({ code: 0, json: { queue: { depth: 1 } } });

    const audit = await fleetdeck('audit', 'verify');
    expect(audit).toMatchObject({ code: 0, json: { ok: true } });
    expect((audit.json as { events: number }).events).toBeGreaterThanOrEqual(2);

    const doctor = await fleetdeck('doctor');
    expect(doctor.code, JSON.stringify(doctor.json)).toBe(0);
    const checks = (doctor.json as { checks: { name: string; status: string; detail: string }[] }).checks;
    expect(checks.find((c) => c.name === 'database')).toMatchObject({ status: 'ok' });
    expect(checks.find((c) => c.name === 'audit chain')).toMatchObject({ status: 'ok' });
    expect(JSON.stringify(checks)).not.toContain('fleet.db');
  });

  it('refuses a database that does not exist, saying so (fleetdeck never creates the database itself)', async () => {
    const missing = new URL(db.url);
    missing.pathname = '/fd_test_does_not_exist';
    const { stdout } = await exec(process.execPath, [CLI, 'doctor', '--db', missing.toString(), '--data-dir', tmp.dir, '--json'], { cwd: REPO_ROOT }).catch((e: { stdout: string }) => e);
    const doctor = JSON.parse(stdout) as { ok: boolean; checks: { name: string; status: string; hint?: string }[] };
    expect(doctor.ok).toBe(false);
    expect(doctor.checks.find((c) => c.name === 'database')).toMatchObject({ status: 'fail', hint: expect.stringContaining('must exist') });
  });
});
