import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, openTestApp, type TestApp } from '../helpers/app.js';
import { CLI, REPO_ROOT } from '../helpers/stdio.js';

const run = promisify(execFile);

async function fleetdeck(db: string, ...args: string[]): Promise<{ stdout: string; code: number; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args, '--db', db], { cwd: REPO_ROOT });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('operator CLI views: status, agents, events --follow', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '300' });
    t.clock.set(Date.now()); // the CLI judges liveness by the real clock
  });
  afterEach(() => t.close());

  it('shows agents, leased runs, open blockers, offered handoffs and the queue on one screen', async () => {
    const boss = await connectClient(t.app);
    const wendy = await connectClient(t.app);
    const walt = await connectClient(t.app);
    await boss.ok('register_agent', { name: 'boss', role: 'coordinator' });
    await wendy.ok('register_agent', { name: 'wendy', role: 'implementer' });
    await walt.ok('register_agent', { name: 'walt', role: 'implementer' });
    for (const title of ['auth', 'billing', 'docs']) await boss.ok('submit_task', { title, instructions: `work on ${title}`, to_role: 'implementer' });
    const a = await wendy.ok<{ run: { run_id: string } }>('take_task');
    const b = await walt.ok<{ run: { run_id: string } }>('take_task');
    const blocker = await wendy.ok<{ blocker_id: string }>('raise_blocker', { run_id: a.run.run_id, kind: 'decision', question: 'Which token format?' });
    const handoff = await walt.ok<{ handoff_id: string }>('handoff', { run_id: b.run.run_id, to_role: 'reviewer', summary: 'billing done', next_action: 'review the diff' });

    const res = await fleetdeck(t.config.db, 'status', '--json');
    expect(res.code, res.stderr).toBe(0);
    const s = JSON.parse(res.stdout) as {
      agents: { name: string; liveness: string }[];
      leased_runs: { run_id: string; state: string; owner_name: string }[];
      open_blockers: { blocker_id: string; question: string }[];
      aging_handoffs: { handoff_id: string; to: string }[];
      queue: { queued: number; dead_letters: number };
    };
    expect(s.agents.map((x) => x.name).sort()).toEqual(['boss', 'walt', 'wendy']);
    expect(s.agents.every((x) => x.liveness === 'active')).toBe(true);
    expect(s.leased_runs.map((r) => [r.run_id, r.state, r.owner_name]).sort()).toEqual(
      [
        [a.run.run_id, 'blocked', 'wendy'],
        [b.run.run_id, 'handoff_pending', 'walt'],
      ].sort(),
    );
    expect(s.open_blockers).toEqual([expect.objectContaining({ blocker_id: blocker.blocker_id, question: 'Which token format?' })]);
    expect(s.aging_handoffs).toEqual([expect.objectContaining({ handoff_id: handoff.handoff_id, to: 'role:reviewer' })]);
    expect(s.queue).toMatchObject({ queued: 1, dead_letters: 0 });

    const screen = await fleetdeck(t.config.db, 'status');
    expect(screen.code).toBe(0);
    expect(screen.stdout).toMatch(/^fleet {2}3 active, 0 stale agent\(s\) · 1 queued/);
    for (const heading of ['AGENTS', 'LEASED RUNS', 'OPEN BLOCKERS', 'OFFERED HANDOFFS']) expect(screen.stdout).toContain(heading);
    expect(screen.stdout).toContain('Which token format?');
    expect(screen.stdout).not.toContain('\u001b['); // no colour off a terminal

    // status RUN_ID still shows one run
    const one = await fleetdeck(t.config.db, 'status', a.run.run_id, '--json');
    expect(JSON.parse(one.stdout)).toMatchObject({ run_id: a.run.run_id, state: 'blocked' });

    const agents = JSON.parse((await fleetdeck(t.config.db, 'agents', '--role', 'implementer', '--json')).stdout) as { agents: { name: string }[] };
    expect(agents.agents.map((x) => x.name).sort()).toEqual(['walt', 'wendy']);
    const table = await fleetdeck(t.config.db, 'agents');
    expect(table.stdout.split('\n')[0]).toMatch(/^AGENT\s+NAME\s+ROLE\s+LIVENESS/);
    expect(table.stdout).toContain('wendy');
    for (const c of [boss, wendy, walt]) await c.close();
  });

  it('events prints recent events and --follow prints new ones as other processes write them', async () => {
    const c = await connectClient(t.app);
    await c.ok('register_agent', { name: 'fran', role: 'implementer' });
    const recent = JSON.parse((await fleetdeck(t.config.db, 'events', '--json', '--limit', '5')).stdout) as { events: { type: string }[] };
    expect(recent.events.map((e) => e.type)).toEqual(['agent.registered']);

    const child = spawn(process.execPath, [CLI, 'events', '--follow', '--json', '--limit', '1', '--type', 'agent.registered,agent.heartbeat,token.created', '--db', t.config.db], {
      cwd: REPO_ROOT,
      env: { ...process.env, FLEETDECK_POLL_MS: '50' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: { type: string; seq: number }[] = [];
    let buffer = '';
    let waiting: { n: number; resolve: () => void } | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as { type: string; seq: number });
      if (waiting && lines.length >= waiting.n) waiting.resolve();
    });
    const exitedEarly = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`events --follow exited ${code}`))));
    exitedEarly.catch(() => {});
    const seen = (n: number) =>
      Promise.race([
        new Promise<void>((resolve) => {
          if (lines.length >= n) resolve();
          else waiting = { n, resolve };
        }),
        exitedEarly,
      ]);
    // the last matching event before it started is its first line: from then on it follows
    await seen(1);
    expect(lines[0]!.type).toBe('agent.registered');
    const three = seen(3);
    await c.ok('heartbeat', { note: 'one' }); // this process
    await c.ok('whoami'); // not a matching type
    expect((await fleetdeck(t.config.db, 'token', 'create', '--operator')).code).toBe(0); // another process
    await three;
    expect(lines.map((l) => l.type), JSON.stringify(lines)).toEqual(['agent.registered', 'agent.heartbeat', 'token.created']);
    expect(lines[2]!.seq).toBeGreaterThan(lines[1]!.seq);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines).toHaveLength(3);
    await c.close();
  });
});
