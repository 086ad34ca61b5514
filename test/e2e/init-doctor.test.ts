import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { CLI } from '../helpers/stdio.js';

const run = promisify(execFile);

async function fleetdeck(cwd: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, FLEETDECK_LOG_LEVEL: 'warn' } });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('fleetdeck doctor', () => {
  let tmp: { dir: string; cleanup: () => void };
  let db: string;
  beforeEach(() => {
    tmp = tempDir();
    db = join(tmp.dir, 'data', 'fleet.db');
  });
  afterEach(() => tmp.cleanup());

  type Report = { ok: boolean; checks: { name: string; status: string; detail: string }[] };
  const status = (r: Report, name: string) => r.checks.find((c) => c.name === name)?.status;

  it('fails without a database and does not create one', async () => {
    const res = await fleetdeck(tmp.dir, 'doctor', '--json', '--db', db);
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as Report;
    expect(report.ok).toBe(false);
    expect(status(report, 'data directory')).toBe('fail');
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('passes on a healthy fleet, then names a broken audit chain and a readable token file', async () => {
    mkdirSync(join(tmp.dir, 'data'), { mode: 0o700 }); // --db names a file in an existing directory (only the default data directory is created)
    // a registered agent leaves a token in the vault
    expect((await fleetdeck(tmp.dir, 'token', 'create', '--agent', 'alice', '--role', 'implementer', '--db', db)).code).toBe(0);
    const healthy = await fleetdeck(tmp.dir, 'doctor', '--json', '--db', db);
    const report = JSON.parse(healthy.stdout) as Report;
    expect(healthy.code, healthy.stdout).toBe(0);
    expect(report.checks.map((c) => c.name)).toEqual(['versions', 'data directory', 'database', 'schema', 'audit chain', 'token vault', '.mcp.json']);
    for (const name of ['versions', 'data directory', 'database', 'schema', 'audit chain', 'token vault']) expect(status(report, name), name).toBe('ok');
    expect(report.checks.find((c) => c.name === 'versions')!.detail).toContain(`node ${process.versions.node}`);

    const vault = join(tmp.dir, 'data', 'tokens');
    chmodSync(join(vault, readdirSync(vault)[0]!), 0o644);
    const leaky = JSON.parse((await fleetdeck(tmp.dir, 'doctor', '--json', '--db', db)).stdout) as Report;
    expect(status(leaky, 'token vault')).toBe('fail');

    // tamper with the first event behind the append-only trigger's back
    const raw = new Database(db);
    raw.exec("DROP TRIGGER events_refuse_update; UPDATE events SET payload = '{\"name\":\"mallory\"}' WHERE seq = 1");
    raw.close();
    const broken = await fleetdeck(tmp.dir, 'doctor', '--db', db);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/FAIL\s+audit chain\s+broken at seq 1/);
  });
});
