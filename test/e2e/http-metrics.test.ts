import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpServerHandle } from '../../src/transports/http.js';
import { openTestApp, type TestApp } from '../helpers/app.js';
import { connectHttp, makeToken, startTestHttp } from '../helpers/http.js';
import { CLI, REPO_ROOT } from '../helpers/stdio.js';

const run = promisify(execFile);

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics on the HTTP server, and fleetdeck stats', () => {
  let t: TestApp;
  let http: HttpServerHandle;
  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '300' });
    http = await startTestHttp(t.app);
  });
  afterEach(async () => {
    await http.close();
    t.close();
  });

  it('needs an operator token, and counts tool calls and errors by tool', async () => {
    expect((await fetch(`${http.origin}/metrics`)).status).toBe(401);
    const agentToken = await makeToken(t.app, { kind: 'agent', agent: 'alice', role: 'implementer' });
    expect((await fetch(`${http.origin}/metrics`, { headers: { Authorization: `Bearer ${agentToken}` } })).status).toBe(403);

    const alice = await connectHttp(http.url, agentToken);
    await alice.ok('heartbeat', { status: 'working' });
    await alice.ok('heartbeat', {});
    const bad = await alice.call('get_run', { run_id: 'run_doesnotexist' });
    expect(bad.isError).toBe(true);
    await alice.call('heartbeat', { progress: 7 }); // out of range: INVALID_INPUT

    const opToken = await makeToken(t.app, { kind: 'operator', label: 'prometheus' });
    const res = await fetch(`${http.origin}/metrics`, { headers: { Authorization: `Bearer ${opToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, 'fleetdeck_tool_calls_total{tool="heartbeat",result="ok"}')).toBe(2);
    expect(sample(text, 'fleetdeck_tool_calls_total{tool="heartbeat",result="error"}')).toBe(1);
    expect(sample(text, 'fleetdeck_tool_errors_total{tool="heartbeat",code="INVALID_INPUT"}')).toBe(1);
    expect(sample(text, 'fleetdeck_tool_errors_total{tool="get_run",code="NOT_FOUND"}')).toBe(1);
    expect(sample(text, 'fleetdeck_tool_call_duration_seconds_count{tool="heartbeat"}')).toBe(3);
    expect(sample(text, 'fleetdeck_agents{liveness="active"}')).toBe(1);
    expect(sample(text, 'fleetdeck_queue_depth')).toBe(0);
    expect(sample(text, 'fleetdeck_http_sessions')).toBe(1);
    expect(sample(text, 'fleetdeck_http_responses_total{route="/metrics",status="401"}')).toBe(1);
    expect(sample(text, 'fleetdeck_http_unauthorized_total')).toBe(0);
    // every sample line is `name{labels} number`
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? -?[0-9.e+]+$|^[a-z_]+(\{[^}]*\})? \+Inf$/);
    await alice.close();
  });

  it('fleetdeck stats prints the same database figures, as JSON with --json', async () => {
    const alice = await connectHttp(http.url, await makeToken(t.app, { kind: 'agent', agent: 'alice', role: 'implementer' }));
    await alice.ok('submit_task', { title: 'x', instructions: 'y', to_role: 'implementer' });
    await alice.close();
    const { stdout } = await run(process.execPath, [CLI, 'stats', '--json', '--db', t.config.db], { cwd: REPO_ROOT });
    const stats = JSON.parse(stdout) as { agents: { active: number; stale: number }; queue: { depth: number }; events: { by_type: Record<string, number> } };
    // liveness is judged by the real clock here (the test app's clock is manual): count both
    expect(stats.agents.active + stats.agents.stale).toBe(1);
    expect(stats.queue.depth).toBe(1);
    expect(stats.events.by_type['token.created']).toBe(1);
    const table = await run(process.execPath, [CLI, 'stats', '--db', t.config.db], { cwd: REPO_ROOT });
    expect(table.stdout).toMatch(/queue\s+1 queued/);
    expect(table.stdout).not.toContain('\u001b['); // no colour when stdout is not a terminal
  });
});
