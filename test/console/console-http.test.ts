import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccessToken, revokeAccessToken } from '../../src/services/access-tokens.js';
import type { HttpServerHandle } from '../../src/transports/http.js';
import { connectClient, openTestApp, type TestApp } from '../helpers/app.js';
import { rawRequest, startTestHttp } from '../helpers/http.js';

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** The console over plain HTTP (no browser): sign-in rules, CSRF, Host/Origin, downloads. */
describe('web console over HTTP', () => {
  let t: TestApp;
  let http: HttpServerHandle;
  beforeEach(async () => {
    t = await openTestApp();
    http = await startTestHttp(t.app);
  });
  afterEach(async () => {
    await http.close();
    await t.close();
  });

  async function loginForm(): Promise<{ cookie: string; csrf: string }> {
    const res = await fetch(`${http.origin}/login`);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())![1]!;
    return { cookie, csrf };
  }

  async function signIn(token: string): Promise<{ status: number; session: string | null; body: string }> {
    const { cookie, csrf } = await loginForm();
    const res = await fetch(`${http.origin}/login`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie }, body: new URLSearchParams({ _csrf: csrf, token }) });
    const set = res.headers.get('set-cookie') ?? '';
    const m = /fleetdeck_session=([^;]+)/.exec(set);
    return { status: res.status, session: m && m[1] ? `fleetdeck_session=${m[1]}` : null, body: await res.text() };
  }

  async function csrfOf(session: string): Promise<string> {
    const html = await (await fetch(`${http.origin}/agents`, { headers: { cookie: session } })).text();
    return /<meta name="csrf-token" content="([^"]+)"/.exec(html)![1]!;
  }

  it('refuses a sign-in post without the login form cookie (login CSRF)', async () => {
    const { token } = { token: (await createAccessToken(t.app.deps, 'operator:test', { kind: 'operator', label: 'ops' })).secret };
    const { csrf } = await loginForm();
    const res = await fetch(`${http.origin}/login`, { method: 'POST', redirect: 'manual', headers: FORM, body: new URLSearchParams({ _csrf: csrf, token }) });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie') ?? '').not.toContain('fleetdeck_session=');
  });

  it('refuses agent tokens and unknown tokens, and ends a session when its operator token is revoked', async () => {
    const agentToken = (await createAccessToken(t.app.deps, 'operator:test', { kind: 'agent', agent: 'alice', role: 'implementer' })).secret;
    const asAgent = await signIn(agentToken);
    expect(asAgent.status).toBe(403);
    expect(asAgent.session).toBeNull();
    expect((await signIn('fdk_unknown')).status).toBe(401);

    const created = await createAccessToken(t.app.deps, 'operator:test', { kind: 'operator', label: 'ops' });
    const ok = await signIn(created.secret);
    expect(ok.status).toBe(303);
    expect((await fetch(`${http.origin}/queue`, { headers: { cookie: ok.session! } })).status).toBe(200);
    await revokeAccessToken(t.app.deps, 'operator:test', created.token.id);
    const after = await fetch(`${http.origin}/queue`, { headers: { cookie: ok.session! }, redirect: 'manual' });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/login?next=%2Fqueue');
  });

  it('applies the same Host and Origin checks as /mcp', async () => {
    const ok = await signIn((await createAccessToken(t.app.deps, 'operator:test', { kind: 'operator', label: 'ops' })).secret);
    const csrf = await csrfOf(ok.session!);
    const port = new URL(http.origin).port;
    const rebinding = await rawRequest(`${http.origin}/agents`, { method: 'GET', headers: { Host: `evil.example:${port}`, cookie: ok.session! } });
    expect(rebinding.status).toBe(403);
    const foreign = await rawRequest(`${http.origin}/actions/pause-agent`, {
      headers: { ...FORM, Origin: 'http://evil.example', cookie: ok.session!, 'X-CSRF-Token': csrf },
      body: 'agent_id=agt_x',
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain('Origin not allowed');
  });

  it('answers actions: 401 signed out, 403 without CSRF, 400 for bad input, 404 for an unknown id, and the result when all is well', async () => {
    const agent = await connectClient(t.app);
    const reg = await agent.ok<{ agent_id: string }>('register_agent', { name: 'worker', role: 'implementer' });
    const post = (headers: Record<string, string>, body: string, action = 'pause-agent') =>
      fetch(`${http.origin}/actions/${action}`, { method: 'POST', headers: { ...FORM, Accept: 'application/json', ...headers }, body });
    expect((await post({}, `agent_id=${reg.agent_id}`)).status).toBe(401);

    const ok = await signIn((await createAccessToken(t.app.deps, 'operator:test', { kind: 'operator', label: 'ops' })).secret);
    const csrf = await csrfOf(ok.session!);
    expect((await post({ cookie: ok.session! }, `agent_id=${reg.agent_id}`)).status).toBe(403);
    const bad = await post({ cookie: ok.session!, 'X-CSRF-Token': csrf }, 'agent_id=nonsense');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_INPUT');
    const unknown = await post({ cookie: ok.session!, 'X-CSRF-Token': csrf }, 'agent_id=agt_doesnotexist');
    expect(unknown.status).toBe(404);
    const good = await post({ cookie: ok.session!, 'X-CSRF-Token': csrf }, `agent_id=${reg.agent_id}`);
    expect(await good.json()).toEqual({ ok: true, message: 'worker is paused' });

    // without script: the form field carries the token, and the answer is a redirect back with a notice
    const plain = await fetch(`${http.origin}/actions/resume-agent`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...FORM, cookie: ok.session! },
      body: new URLSearchParams({ _csrf: csrf, agent_id: reg.agent_id, back: '/agents' }),
    });
    expect(plain.status).toBe(303);
    expect(plain.headers.get('location')).toBe('/agents?notice=resume-agent'); // a code: the page words it, never the URL
    await agent.close();
  });

  it('maps the decision buttons to resolve_blocker: Answer with one of the options, Reassign to a role', async () => {
    const agent = await connectClient(t.app);
    await agent.ok('register_agent', { name: 'asker', role: 'implementer' });
    const ok = await signIn((await createAccessToken(t.app.deps, 'operator:test', { kind: 'operator', label: 'ops' })).secret);
    const csrf = await csrfOf(ok.session!);
    const decide = (fields: Record<string, string>) =>
      fetch(`${http.origin}/actions/resolve-blocker`, {
        method: 'POST',
        headers: { ...FORM, Accept: 'application/json', cookie: ok.session!, 'X-CSRF-Token': csrf },
        // the whole form is posted, as the page does: empty fields mean "not given"
        body: new URLSearchParams({ text: '', option: '', to_agent: '', to_role: '', ...fields }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { ok: boolean; message?: string; error?: { code: string } } }));

    const first = await agent.ok<{ run_id: string }>('start_run', { title: 'pick a store' });
    const b1 = await agent.ok<{ blocker_id: string }>('raise_blocker', { run_id: first.run_id, kind: 'decision', question: 'Which store?', options: ['sqlite', 'postgres'] });
    const answered = await decide({ blocker_id: b1.blocker_id, decision: 'answer', option: 'postgres', to_role: 'reviewer' }); // a reassign field left filled in is ignored by the other decisions
    expect(answered).toMatchObject({ status: 200, body: { ok: true } });
    const waited = await agent.ok<{ blocker: { decision: string; chosen_option: string } }>('await_update', { blocker_id: b1.blocker_id, timeout_seconds: 1 });
    expect(waited.blocker).toMatchObject({ decision: 'answer', chosen_option: 'postgres' });
    const again = await decide({ blocker_id: b1.blocker_id, decision: 'approve' });
    expect(again).toMatchObject({ status: 409, body: { ok: false, error: { code: 'INVALID_STATE' } } });

    const second = await agent.ok<{ run_id: string }>('start_run', { title: 'review it' });
    const b2 = await agent.ok<{ blocker_id: string }>('raise_blocker', { run_id: second.run_id, kind: 'decision', question: 'Who reviews?' });
    const reassigned = await decide({ blocker_id: b2.blocker_id, decision: 'reassign', to_role: 'reviewer' });
    expect(reassigned).toMatchObject({ status: 200, body: { ok: true } });
    expect(reassigned.body.message).toContain('reassigned');

    // force_release of every claim of one agent (the Agents view's "Release claims")
    const me = await agent.ok<{ agent: { agent_id: string } }>('whoami');
    await agent.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'a/**' }, { kind: 'path', pattern: 'b/**' }] });
    const release = (confirmed: Record<string, string>) =>
      fetch(`${http.origin}/actions/force-release`, {
        method: 'POST',
        headers: { ...FORM, Accept: 'application/json', cookie: ok.session!, 'X-CSRF-Token': csrf },
        body: new URLSearchParams({ agent_id: me.agent.agent_id, claim_id: '', reason: 'cleanup', ...confirmed }),
      });
    expect((await release({})).status).toBe(428); // destructive: not without the confirmation
    expect(await (await release({ confirmed: 'yes' })).json()).toEqual({ ok: true, message: 'force-released 2 claim(s)' });
    await agent.close();
  });

  it('serves evidence bytes as a download with their sha256, and pages that load nothing from elsewhere', async () => {
    const agent = await connectClient(t.app);
    await agent.ok('register_agent', { name: 'worker', role: 'implementer' });
    const run = await agent.ok<{ run_id: string }>('start_run', { title: 'evidence' });
    const art = await agent.ok<{ artifact_id: string; sha256: string }>('attach_evidence', { run_id: run.run_id, kind: 'log', name: 'out.html', content: '<script>alert(1)</script>', media_type: 'text/html' });
    const ok = await signIn((await createAccessToken(t.app.deps, 'operator:test', { kind: 'operator', label: 'ops' })).secret);

    const dl = await fetch(`${http.origin}/artifacts/${art.artifact_id}`, { headers: { cookie: ok.session! } });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('application/octet-stream');
    expect(dl.headers.get('content-disposition')).toBe('attachment; filename="out.html"');
    expect(dl.headers.get('x-artifact-sha256')).toBe(art.sha256);
    expect(await dl.text()).toBe('<script>alert(1)</script>');

    const detail = await fetch(`${http.origin}/runs/${run.run_id}`, { headers: { cookie: ok.session! } });
    expect(detail.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await detail.text();
    expect(html).toContain('sha256 verified');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;'); // evidence text is shown, escaped
    expect(html).not.toContain('<script>alert(1)');
    for (const path of ['/', '/agents', '/runs', '/claims', '/blockers', '/events', '/queue', `/runs/${run.run_id}`, '/login']) {
      const body = await (await fetch(`${http.origin}${path}`, { headers: { cookie: ok.session! } })).text();
      expect(body.match(/(?:src|href)="(?:https?:)?\/\/[^"]*"/g), path).toBeNull();
    }
    await agent.close();
  });
});
