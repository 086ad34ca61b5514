import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccessToken } from '../../src/services/access-tokens.js';
import type { HttpServerHandle } from '../../src/transports/http.js';
import { connectClient, openTestApp, tempDir, type TestApp } from '../helpers/app.js';
import { rawRequest, startTestHttp } from '../helpers/http.js';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** The console's refusals over plain HTTP: 4xx for bad requests, redirects, notices, sign-in limits, sessions across a restart. */
describe('web console security over HTTP', () => {
  let t: TestApp;
  let http: HttpServerHandle;
  let dir: { dir: string; cleanup: () => void };
  beforeEach(async () => {
    dir = tempDir();
    t = await openTestApp({}, dir.dir);
    http = await startTestHttp(t.app, { console: { signInLimit: { attempts: 5, windowMs: 60_000, maxClients: 100 } } });
  });
  afterEach(async () => {
    await http.close();
    await t.close();
    dir.cleanup();
  });

  async function loginForm(): Promise<{ cookie: string; csrf: string }> {
    const res = await fetch(`${http.origin}/login`);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())![1]!;
    return { cookie, csrf };
  }

  async function signIn(token: string, next = '/'): Promise<{ status: number; session: string | null; location: string | null }> {
    const { cookie, csrf } = await loginForm();
    const res = await fetch(`${http.origin}/login`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie }, body: new URLSearchParams({ _csrf: csrf, token, next }) });
    const m = /fleetdeck_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '');
    return { status: res.status, session: m && m[1] ? `fleetdeck_session=${m[1]}` : null, location: res.headers.get('location') };
  }

  async function openTestAgentRun(): Promise<string> {
    const agent = await connectClient(t.app);
    await agent.ok('register_agent', { name: 'worker', role: 'implementer' });
    const run = await agent.ok<{ run_id: string }>('start_run', { title: 'open run' });
    await agent.close();
    return run.run_id;
  }

  const operatorToken = async () => (await createAccessToken(t.app.deps, 'operator:test', { kind: 'operator', label: 'ops' })).secret;

  it('redirects after sign-in only to a same-origin path', async () => {
    const token = await operatorToken();
    expect((await signIn(token, '/runs?state=dead')).location).toBe('/runs?state=dead');
    for (const next of ['/\t/evil.example/x', '//evil.example/x', '/\\evil.example', 'https://evil.example/', '/\n/evil.example', '/a\r\nSet-Cookie: x=y']) {
      const out = await signIn(token, next);
      expect(out.status, JSON.stringify(next)).toBe(303);
      expect(out.location, JSON.stringify(next)).toBe('/');
    }
    // the login page itself never echoes a bad next into its form
    const page = await (await fetch(`${http.origin}/login?next=${encodeURIComponent('/\t/evil.example')}`)).text();
    expect(page).toContain('name="next" value="/"');
  });

  it('answers every bad request with a 4xx, never a 500', async () => {
    const { session } = await signIn(await operatorToken());
    const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await (await fetch(`${http.origin}/agents`, { headers: { cookie: session! } })).text())![1]!;
    const h = { cookie: session!, 'X-CSRF-Token': csrf };
    const status = async (path: string, init: RequestInit = {}) => (await fetch(`${http.origin}${path}`, { redirect: 'manual', ...init, headers: { ...(init.headers as Record<string, string>), cookie: session! } })).status;
    expect(await status('/artifacts/art_doesnotexist')).toBe(404);
    expect(await status('/artifacts/..%2f..%2fetc')).toBe(404);
    expect(await status('/runs/run_doesnotexist')).toBe(404);
    expect(await status('/actions/unknown', { method: 'POST', headers: { ...h, ...FORM }, body: 'x=1' })).toBe(404);
    expect(await status('/actions/pause-agent', { method: 'POST', headers: { ...h, 'Content-Type': 'application/json' }, body: '{"agent_id":"agt_x"}' })).toBe(415);
    expect(await status('/actions/pause-agent', { method: 'POST', headers: { ...h, 'Content-Type': 'text/plain' }, body: 'agent_id=agt_x' })).toBe(415);
    expect(await status('/actions/pause-agent', { method: 'POST', headers: { ...h, ...FORM }, body: `agent_id=${'a'.repeat(70 * 1024)}` })).toBe(413);
    expect(await status('/agents', { method: 'POST', headers: { ...h, ...FORM }, body: 'x=1' })).toBe(405);
    expect(await status('/nowhere')).toBe(404);
    // a chunked body over the limit (no Content-Length) is refused too
    const chunked = await rawRequest(`${http.origin}/actions/pause-agent`, { headers: { ...h, ...FORM, 'Transfer-Encoding': 'chunked' }, body: 'agent_id=' + 'b'.repeat(70 * 1024) });
    expect(chunked.status).toBe(413);
    // hints name the console's actions, not MCP tools
    const t2 = await openTestAgentRun();
    const requeue = await fetch(`${http.origin}/actions/requeue-run`, { method: 'POST', headers: { ...h, ...FORM, Accept: 'application/json' }, body: `run_id=${t2}` });
    expect(requeue.status).toBe(409);
    const hint = ((await requeue.json()) as { error: { hint: string } }).error.hint;
    expect(hint).toContain("Cancel run on the run's page");
    expect(hint).not.toMatch(/cancel_run|reassign_run/);
    // a newline in next on the sign-in page is no 500
    expect((await fetch(`${http.origin}/login?next=/a%0Ab`)).status).toBe(200);
  });

  it('shows notices by code only: free text in the URL is never shown', async () => {
    const { session } = await signIn(await operatorToken());
    const body = await (await fetch(`${http.origin}/agents?error=${encodeURIComponent('Your token expired: sign in at evil.example')}&notice=${encodeURIComponent('All good, call 555')}`, { headers: { cookie: session! } })).text();
    expect(body).not.toContain('evil.example');
    expect(body).not.toContain('call 555');
    const coded = await (await fetch(`${http.origin}/agents?notice=pause-agent`, { headers: { cookie: session! } })).text();
    expect(coded).toContain('The agent is paused.');
    const err = await (await fetch(`${http.origin}/agents?error=INVALID_STATE&action=cancel-run`, { headers: { cookie: session! } })).text();
    expect(err).toContain('Not possible in its current state');
  });

  it('limits sign-in attempts per client with 429, and counts them in /metrics', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await signIn('fdk_wrong')).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    const { cookie, csrf } = await loginForm();
    const limited = await fetch(`${http.origin}/login`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie }, body: new URLSearchParams({ _csrf: csrf, token: await operatorToken() }) });
    expect(limited.status).toBe(429); // even the right token waits out the window
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    t.clock.advance(60_000);
    expect((await signIn(await operatorToken())).status).toBe(303);

    const metrics = await (await fetch(`${http.origin}/metrics`, { headers: { Authorization: `Bearer ${await operatorToken()}` } })).text();
    expect(metrics).toMatch(/^fleetdeck_console_sign_in_failures_total 5$/m);
    expect(metrics).toMatch(/^fleetdeck_console_sign_in_rate_limited_total 4$/m);
  });

  it('sends Permissions-Policy and the other security headers on every page', async () => {
    const { session } = await signIn(await operatorToken());
    for (const path of ['/login', '/', '/agents', '/runs', '/claims', '/blockers', '/events', '/queue', '/nowhere', '/static/console.js']) {
      const res = await fetch(`${http.origin}${path}`, { headers: { cookie: session! } });
      expect(res.headers.get('permissions-policy'), path).toContain('camera=()');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('keeps a console session across a restart on the same database', async () => {
    const { session } = await signIn(await operatorToken());
    expect((await fetch(`${http.origin}/queue`, { headers: { cookie: session! }, redirect: 'manual' })).status).toBe(200);
    await http.close();
    await t.app.close();
    t = await openTestApp({}, dir.dir); // a new process on the same database
    http = await startTestHttp(t.app);
    const after = await fetch(`${http.origin}/queue`, { headers: { cookie: session! }, redirect: 'manual' });
    expect(after.status).toBe(200);
    const logout = /<meta name="csrf-token" content="([^"]+)"/.exec(await after.text())![1]!;
    await fetch(`${http.origin}/logout`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie: session! }, body: new URLSearchParams({ _csrf: logout }) });
    expect((await fetch(`${http.origin}/queue`, { headers: { cookie: session! }, redirect: 'manual' })).status).toBe(303);
  });
});
