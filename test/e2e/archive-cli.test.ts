import { spawnSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyRetention } from '../../src/services/retention/apply.js';
import { DAY_MS } from '../../src/services/retention/settings.js';
import { connectClient, openTestApp, tempDir } from '../helpers/app.js';
import { CLI } from '../helpers/stdio.js';

function fleetdeck(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, FLEETDECK_LOG_LEVEL: 'warn' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The archive through the built CLI: list, verify, a run's history after the run left the database, and a renamed segment found. */
describe('fleetdeck archive', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let runId: string;
  beforeEach(async () => {
    tmp = tempDir('fleetdeck-archive-');
    db = join(tmp.dir, 'fleet.db');
    const t = await openTestApp({}, tmp.dir);
    const c = await connectClient(t.app);
    await c.ok('register_agent', { name: 'worker', role: 'implementer' });
    const sub = await c.ok<{ run_id: string }>('submit_task', { title: 'old work', instructions: 'x', to_role: 'implementer' });
    runId = sub.run_id;
    await c.ok('take_task');
    await c.ok('submit_result', { run_id: runId, outcome: 'completed', summary: 'done long ago' });
    await t.app.deps.store.write(async (tx) => {
      for (let i = 0; i < 1_100; i++) await tx.events.append({ actor: 'system', type: 'agent.heartbeat', payload: { progress: i } }, t.clock.now());
    });
    t.clock.advance(100 * DAY_MS);
    await c.ok('heartbeat', { note: 'today' });
    const report = await applyRetention(t.app.deps, { budgetMs: 60_000 });
    expect(report).toMatchObject({ runs: 1, archivedEvents: 1_000 });
    await c.close();
    await t.close();
  });
  afterEach(() => tmp.cleanup());

  it('lists and verifies segments, shows a forgotten run, and names a renamed segment', () => {
    const list = fleetdeck('archive', 'list', '--db', db, '--json');
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ archivedThroughSeq: 1_000, segments: [{ name: 'events-000000000001-000000001000.jsonl.gz', first_seq: 1, last_seq: 1_000 }] });

    expect(fleetdeck('archive', 'verify', '--db', db).code).toBe(0);
    const audit = fleetdeck('audit', 'verify', '--db', db);
    expect(audit.code, audit.stdout).toBe(0);
    expect(audit.stdout).toMatch(/1000 of them in 1 archive segment/);

    // the run is gone from the live database, its history is not
    expect(fleetdeck('status', runId, '--db', db).code).not.toBe(0);
    const show = fleetdeck('archive', 'show', runId, '--db', db, '--json');
    expect(show.code, show.stderr).toBe(0);
    const history = JSON.parse(show.stdout) as { events: { type: string }[]; archived: number };
    expect(history.events.map((e) => e.type)).toEqual(expect.arrayContaining(['run.submitted', 'run.taken', 'run.completed']));
    expect(history.archived).toBeGreaterThanOrEqual(3);

    // renaming a segment (so it claims other seqs) is named by both verifies
    const dir = join(tmp.dir, 'archive');
    renameSync(join(dir, 'events-000000000001-000000001000.jsonl.gz'), join(dir, 'events-000000000002-000000001000.jsonl.gz'));
    const broken = fleetdeck('archive', 'verify', '--db', db, '--json');
    expect(broken.code).toBe(2);
    expect(JSON.parse(broken.stdout).broken.reason).toMatch(/events 1–1 are in no archive segment/);
    const auditBroken = fleetdeck('audit', 'verify', '--db', db);
    expect(auditBroken.code).toBe(2);
    expect(auditBroken.stdout).toMatch(/BROKEN/);
  });
});
