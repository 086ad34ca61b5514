import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';
import { CLI, REPO_ROOT } from '../helpers/stdio.js';

const run = promisify(execFile);

/** Runs the built CLI on the test database and parses its --json answer. */
async function fleetdeck<T>(db: string, ...args: string[]): Promise<{ code: number; json: T; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args, '--json', '--db', db], { cwd: REPO_ROOT });
    return { code: 0, json: JSON.parse(stdout) as T, stderr };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { code: e.code, json: (e.stdout ? JSON.parse(e.stdout) : null) as T, stderr: e.stderr };
  }
}

interface Decided {
  blocker: { state: string; decision: string; resolution: string | null };
  run: { state: string; owner_id: string | null };
}

describe('operator decisions from the CLI: deny, redirect, resolve, pause and resume', () => {
  let t: TestApp;
  let worker: TestClient;
  let agentId: string;
  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '300' });
    t.clock.set(Date.now()); // the CLI runs on the real clock
    worker = await connectClient(t.app);
    agentId = (await worker.ok<{ agent_id: string }>('register_agent', { name: 'wanda', role: 'implementer' })).agent_id;
  });
  afterEach(async () => {
    await worker.close();
    t.close();
  });

  async function blocked(): Promise<{ runId: string; blockerId: string }> {
    const started = await worker.ok<{ run_id: string }>('start_run', { title: 'migrate the schema' });
    const raised = await worker.ok<{ blocker_id: string }>('raise_blocker', { run_id: started.run_id, kind: 'decision', question: 'drop the old table?' });
    return { runId: started.run_id, blockerId: raised.blocker_id };
  }

  const signalsOf = async (kind: string) =>
    ((await worker.ok<{ signals?: { kind: string; message: string; payload: Record<string, unknown> }[] }>('whoami')).signals ?? []).filter((s) => s.kind === kind);

  it('deny needs a reason, returns the run to its owner and tells it why', async () => {
    const { blockerId } = await blocked();
    expect((await fleetdeck(t.config.db, 'deny', blockerId)).code).not.toBe(0);
    const denied = await fleetdeck<Decided>(t.config.db, 'deny', blockerId, '--reason', 'keep it for a release');
    expect(denied.code).toBe(0);
    expect(denied.json.blocker).toMatchObject({ state: 'resolved', decision: 'deny' });
    expect(denied.json.run).toMatchObject({ state: 'leased', owner_id: agentId });
    expect((await signalsOf('blocker_resolved'))[0]?.message).toContain('keep it for a release');
  });

  it('redirect gives the run new instructions and sends a redirect signal', async () => {
    const { blockerId } = await blocked();
    const redirected = await fleetdeck<Decided>(t.config.db, 'redirect', blockerId, '--instructions', 'rename the table instead');
    expect(redirected.code).toBe(0);
    expect(redirected.json.blocker.decision).toBe('redirect');
    expect((await signalsOf('redirect'))[0]?.message).toContain('rename the table instead');
  });

  it('resolve --decision cancel cancels the run; the owner is told to stop', async () => {
    const { blockerId } = await blocked();
    const cancelled = await fleetdeck<Decided>(t.config.db, 'resolve', blockerId, '--decision', 'cancel', '--text', 'not needed');
    expect(cancelled.code).toBe(0);
    expect(cancelled.json.run.state).toBe('cancelled');
    expect((await signalsOf('cancel')).length).toBe(1);
  });

  it('pause and resume an agent: a paused agent takes nothing', async () => {
    await worker.ok('submit_task', { title: 'queued work', instructions: 'do it', to_role: 'implementer' });
    expect((await fleetdeck(t.config.db, 'pause', agentId, '--reason', 'maintenance')).code).toBe(0);
    const whilePaused = await worker.ok<{ run: unknown; signals?: { kind: string }[] }>('take_task');
    expect(whilePaused.run).toBeNull();
    expect(whilePaused.signals?.map((s) => s.kind)).toContain('pause');
    expect((await fleetdeck(t.config.db, 'resume', agentId)).code).toBe(0);
    const after = await worker.ok<{ run: { title: string } | null }>('take_task');
    expect(after.run?.title).toBe('queued work');
  });
});
