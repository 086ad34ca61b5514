import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_TOOLS, OPERATOR_TOOLS } from '../../src/mcp/tools/index.js';
import { registerAgent } from '../../src/services/agents.js';
import { createAccessToken, revokeAccessToken } from '../../src/services/access-tokens.js';
import type { HttpServerHandle } from '../../src/transports/http.js';
import { errorCode, openTestApp, type TestApp } from '../helpers/app.js';
import { connectHttp, initializeBody, makeToken, MCP_HEADERS, rawRequest, startTestHttp } from '../helpers/http.js';
import { spawnServer } from '../helpers/stdio.js';

describe('Streamable HTTP with bearer tokens', () => {
  let t: TestApp;
  let http: HttpServerHandle;
  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    http = await startTestHttp(t.app);
  });
  afterEach(async () => {
    await http.close();
    t.close();
  });

  it('answers 401 without a token, with an unknown token and with a revoked one', async () => {
    const none = await rawRequest(http.url, { headers: MCP_HEADERS, body: initializeBody() });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const bad = await rawRequest(http.url, { headers: { ...MCP_HEADERS, Authorization: 'Bearer fdk_nope' }, body: initializeBody() });
    expect(bad.status).toBe(401);
    await expect(connectHttp(http.url, 'fdk_nope')).rejects.toThrow();

    const created = await createAccessToken(t.app.deps, 'operator:test', { kind: 'agent', agent: 'alice', role: 'implementer' });
    const alice = await connectHttp(http.url, created.secret);
    expect((await alice.ok<{ kind: string }>('whoami')).kind).toBe('agent');
    await revokeAccessToken(t.app.deps, 'operator:test', created.token.id);
    // the open session does not outlive its token: the very next request is refused
    await expect(alice.client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow(/401|Unauthorized|bearer/i);
    await alice.client.close();
  });

  it('binds the identity from the token: an agent token acts as that agent without register_agent', async () => {
    const token = await makeToken(t.app, { kind: 'agent', agent: 'alice', role: 'implementer' });
    const alice = await connectHttp(http.url, token);
    const who = await alice.ok<{ kind: string; agent: { name: string; role: string; agent_id: string } }>('whoami');
    expect(who).toMatchObject({ kind: 'agent', agent: { name: 'alice', role: 'implementer' } });
    const hb = await alice.ok<{ agent_id: string; liveness: string }>('heartbeat', { status: 'working', note: 'over http' });
    expect(hb).toMatchObject({ agent_id: who.agent.agent_id, liveness: 'active' });

    // register_agent answers the bound identity, and refuses to create another one
    const same = await alice.ok<{ agent_id: string; resumed: boolean }>('register_agent', { name: 'alice', role: 'implementer' });
    expect(same).toMatchObject({ agent_id: who.agent.agent_id, resumed: true });
    const other = await alice.call('register_agent', { name: 'mallory', role: 'implementer' });
    expect(errorCode(other)).toBe('INVALID_STATE');
    await alice.close();
  });

  it('refuses evidence by path over HTTP (it would read the server\'s files) and takes it as content', async () => {
    const alice = await connectHttp(http.url, await makeToken(t.app, { kind: 'agent', agent: 'paula', role: 'implementer' }));
    const run = await alice.ok<{ run_id: string }>('start_run', { title: 'remote work' });
    const byPath = await alice.call('attach_evidence', { run_id: run.run_id, kind: 'log', path: 'fleet.db' });
    expect(errorCode(byPath)).toBe('FORBIDDEN');
    expect((byPath.structuredContent.error as { hint: string }).hint).toMatch(/content/);
    const inline = await alice.ok<{ bytes: number }>('attach_evidence', { run_id: run.run_id, kind: 'log', content: 'ok' });
    expect(inline.bytes).toBe(2);
    await alice.close();
  });

  it('accepts an agent registration token as its bearer token', async () => {
    const reg = await registerAgent(t.app.deps, { name: 'bob', role: 'reviewer' });
    const bob = await connectHttp(http.url, reg.token!);
    expect((await bob.ok<{ agent: { agent_id: string } }>('whoami')).agent.agent_id).toBe(reg.agent.id);
    await bob.close();
  });

  it('lists operator tools only to operator tokens', async () => {
    const agent = await connectHttp(http.url, await makeToken(t.app, { kind: 'agent', agent: 'carol', role: 'implementer' }));
    const operator = await connectHttp(http.url, await makeToken(t.app, { kind: 'operator', label: 'dana' }));
    const agentNames = (await agent.client.listTools()).tools.map((x) => x.name);
    const operatorNames = (await operator.client.listTools()).tools.map((x) => x.name);
    expect(OPERATOR_TOOLS.length).toBeGreaterThan(0);
    expect(agentNames.sort()).toEqual(AGENT_TOOLS.map((x) => x.name).sort());
    for (const tool of OPERATOR_TOOLS) {
      expect(agentNames).not.toContain(tool.name);
      expect(operatorNames).toContain(tool.name);
    }
    // calling one anyway is an unknown tool for an agent
    const sneaky = await agent.call(OPERATOR_TOOLS[0]!.name, {});
    expect(errorCode(sneaky)).toBe('INVALID_INPUT');
    expect(await operator.ok('whoami')).toMatchObject({ kind: 'operator', operator: 'dana' });
    await agent.close();
    await operator.close();
  });

  it('refuses a request whose token names another identity than the session was opened with', async () => {
    const alice = await connectHttp(http.url, await makeToken(t.app, { kind: 'agent', agent: 'alice', role: 'implementer' }));
    const malloryToken = await makeToken(t.app, { kind: 'agent', agent: 'mallory', role: 'implementer' });
    const sessionId = alice.transport.sessionId!;
    expect(sessionId).toBeTruthy();
    const hijack = await rawRequest(http.url, {
      headers: { ...MCP_HEADERS, Authorization: `Bearer ${malloryToken}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
    });
    expect(hijack.status).toBe(403);
    // a second token of the same identity may use the session
    const aliceAgain = await makeToken(t.app, { kind: 'agent', agent: 'alice', role: 'implementer' });
    const same = await rawRequest(http.url, {
      headers: { ...MCP_HEADERS, Authorization: `Bearer ${aliceAgain}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 10, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
    });
    expect(same.status).toBe(200);
    expect(same.body).toContain('"name":"alice"');
    await alice.close();
  });

  it('rejects a DNS-rebinding Host or a foreign Origin with 403, and accepts loopback ones', async () => {
    const token = await makeToken(t.app, { kind: 'operator', label: 'ops' });
    const auth = { ...MCP_HEADERS, Authorization: `Bearer ${token}` };
    const evilHost = await rawRequest(http.url, { headers: { ...auth, Host: 'evil.example.com' }, body: initializeBody() });
    expect(evilHost.status).toBe(403);
    expect(evilHost.body).toMatch(/Host not allowed/);
    const evilOrigin = await rawRequest(http.url, { headers: { ...auth, Origin: 'http://evil.example.com' }, body: initializeBody() });
    expect(evilOrigin.status).toBe(403);
    expect(evilOrigin.body).toMatch(/Origin not allowed/);
    const local = await rawRequest(http.url, { headers: { ...auth, Host: `localhost:${http.port}`, Origin: `http://localhost:${http.port}` }, body: initializeBody() });
    expect(local.status).toBe(200);
    // the health endpoint is behind the same Host rule
    expect((await rawRequest(`${http.origin}/healthz`, { method: 'GET', headers: { Host: 'evil.example.com' } })).status).toBe(403);
  });

  it('serves /healthz (liveness) and /readyz (the database answers, with the schema version) without a token', async () => {
    const live = await fetch(`${http.origin}/healthz`);
    expect(live.status).toBe(200);
    expect(((await live.json()) as { status: string }).status).toBe('ok');
    const ready = await fetch(`${http.origin}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; schema_version: number; version: string };
    expect(body.status).toBe('ready');
    expect(body.schema_version).toBe(await t.app.deps.store.schemaVersion());
    expect(body.schema_version).toBeGreaterThanOrEqual(11);
  });

  it('refuses a body larger than the limit with 413 before reading it', async () => {
    await http.close();
    http = await startTestHttp(t.app, { maxBodyBytes: 4096 });
    const token = await makeToken(t.app, { kind: 'agent', agent: 'alice', role: 'implementer' });
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { pad: 'x'.repeat(10_000) } });
    const res = await rawRequest(http.url, { headers: { ...MCP_HEADERS, Authorization: `Bearer ${token}` }, body: big });
    expect(res.status).toBe(413);
    // a call within the limit still works
    const alice = await connectHttp(http.url, token);
    expect((await alice.ok<{ kind: string }>('whoami')).kind).toBe('agent');
    await alice.close();
  });

  it('answers 429 with Retry-After when a token exceeds its rate, per token', async () => {
    await http.close();
    const frozen = () => 1_000; // no refill: the burst is all there is
    http = await startTestHttp(t.app, { burst: 3, ratePerSecond: 0.5, monotonicNow: frozen });
    const token = await makeToken(t.app, { kind: 'agent', agent: 'alice', role: 'implementer' });
    const other = await makeToken(t.app, { kind: 'agent', agent: 'bob', role: 'implementer' });
    const send = (tok: string) => rawRequest(http.url, { headers: { ...MCP_HEADERS, Authorization: `Bearer ${tok}` }, body: initializeBody() });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send(token)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await send(token);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBe(2);
    expect((await send(other)).status).toBe(200);
  });

  it('shares one database with stdio processes: each sees the agents of the other', async () => {
    const stdio = await spawnServer({ db: t.config.db });
    try {
      const viaStdio = await stdio.ok<{ agent_id: string }>('register_agent', { name: 'stdio-sam', role: 'implementer' });
      const http1 = await connectHttp(http.url, await makeToken(t.app, { kind: 'agent', agent: 'http-hana', role: 'reviewer' }));
      const hana = await http1.ok<{ agent: { agent_id: string } }>('whoami');
      const seenOverHttp = await http1.client.readResource({ uri: 'fleet://agents' });
      const httpIds = (JSON.parse((seenOverHttp.contents[0] as { text: string }).text) as { agents: { agent_id: string }[] }).agents.map((a) => a.agent_id);
      expect(httpIds).toEqual(expect.arrayContaining([viaStdio.agent_id, hana.agent.agent_id]));
      const seenOverStdio = await stdio.client.readResource({ uri: 'fleet://agents' });
      const stdioIds = (JSON.parse((seenOverStdio.contents[0] as { text: string }).text) as { agents: { agent_id: string }[] }).agents.map((a) => a.agent_id);
      expect(stdioIds).toEqual(expect.arrayContaining([viaStdio.agent_id, hana.agent.agent_id]));
      await http1.close();
    } finally {
      await stdio.close();
    }
  });

  it('closes a session on DELETE and answers 404 for it afterwards', async () => {
    const token = await makeToken(t.app, { kind: 'agent', agent: 'alice', role: 'implementer' });
    const alice = await connectHttp(http.url, token);
    const sessionId = alice.transport.sessionId!;
    expect(http.sessions()).toBe(1);
    await alice.close();
    expect(http.sessions()).toBe(0);
    const after = await rawRequest(http.url, {
      headers: { ...MCP_HEADERS, Authorization: `Bearer ${token}`, 'mcp-session-id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }),
    });
    expect(after.status).toBe(404);
  });
});
