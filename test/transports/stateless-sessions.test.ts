import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openApp, type App } from '../../src/main.js';
import type { HttpServerHandle } from '../../src/transports/http.js';
import { silentLogger, openTestApp, type TestApp } from '../helpers/app.js';
import { connectHttp, makeToken, MCP_HEADERS, rawRequest, startTestHttp } from '../helpers/http.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { countMcpSessions } from '../../src/services/mcp-sessions.js';

/**
 * SPEC §6: MCP sessions live in the database. Three HTTP handlers, each on its own App (its own
 * connections, change feed and memory, as separate processes would have) on one database, behind a
 * round-robin proxy with no stickiness; a real SDK client runs its whole session through the proxy.
 */
describe('stateless MCP sessions behind a round-robin proxy', () => {
  let t: TestApp;
  const apps: App[] = [];
  const replicas: HttpServerHandle[] = [];
  let proxy: RoundRobinProxy;

  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    apps.push(t.app);
    for (let i = 1; i < 3; i++) apps.push(await openApp(t.config, { clock: t.clock, logger: silentLogger }));
    for (const app of apps) replicas.push(await startTestHttp(app, { ratePerSecond: 1000, burst: 1000 }));
    proxy = await startRoundRobinProxy(replicas.map((r) => r.origin));
  });
  afterEach(async () => {
    await proxy.close();
    for (const r of replicas.splice(0)) await r.close().catch(() => {});
    for (const app of apps.splice(1)) await app.close();
    apps.length = 0;
    await t.close();
  });

  it('serves one client\'s whole session on every replica, and a closed replica costs it no new initialize', async () => {
    const token = await makeToken(t.app, { kind: 'agent', agent: 'roamer', role: 'implementer' });
    const c = await connectHttp(proxy.url, token);
    const sessionId = c.transport.sessionId;
    const who = await c.ok<{ agent: { agent_id: string } }>('whoami');
    for (let i = 0; i < 6; i++) await c.ok('heartbeat', { status: 'working', note: `call ${i}` });
    const run = await c.ok<{ run_id: string }>('start_run', { title: 'roaming work' });
    // every replica answered part of the session
    for (const r of replicas) expect(proxy.served.get(r.origin) ?? 0).toBeGreaterThan(0);
    expect(replicas.filter((r) => r.sessions() === 1).length).toBe(3);

    // one replica goes away mid-session: the proxy skips it and the session carries on elsewhere
    await replicas[1]!.close();
    for (let i = 0; i < 4; i++) expect((await c.ok<{ agent: { agent_id: string } }>('whoami')).agent.agent_id).toBe(who.agent.agent_id);
    const runs = await c.ok<{ runs: { run_id: string }[] }>('list_runs', { owner: 'me' });
    expect(runs.runs.map((r) => r.run_id)).toContain(run.run_id);
    expect(c.transport.sessionId).toBe(sessionId);
    expect(proxy.initializes).toBe(1);
    await c.close();
  });

  it('ends a session on DELETE for every replica, and refuses it to another identity on any replica', async () => {
    const token = await makeToken(t.app, { kind: 'agent', agent: 'alice', role: 'implementer' });
    const other = await makeToken(t.app, { kind: 'agent', agent: 'bob', role: 'implementer' });
    const c = await connectHttp(proxy.url, token);
    const sessionId = c.transport.sessionId!;
    for (let i = 0; i < 3; i++) await c.ok('whoami');
    const list = (tok: string, url: string) =>
      rawRequest(url, {
        headers: { ...MCP_HEADERS, Authorization: `Bearer ${tok}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }),
      });
    for (const r of replicas) expect((await list(other, r.url)).status).toBe(403);
    await c.close();
    // another replica may believe in its copy for up to a second: then it asks the database
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    for (const r of replicas) expect((await list(token, r.url)).status).toBe(404);
  });

  it('notifies a subscription made through one replica from the replica holding the client\'s stream', async () => {
    const token = await makeToken(t.app, { kind: 'agent', agent: 'watcher', role: 'implementer' });
    const c = await connectHttp(proxy.url, token);
    const run = await c.ok<{ run_id: string }>('start_run', { title: 'watched' });
    const uri = `fleet://runs/${run.run_id}`;
    const updates: string[] = [];
    c.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    // wait for the client's standalone stream to be open on some replica
    await waitFor(() => [...proxy.openStreams.values()].some((n) => n > 0));
    await c.client.subscribeResource({ uri });
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // the stream's replica re-reads subscriptions each second
    await c.ok('attach_evidence', { run_id: run.run_id, kind: 'note', content: 'a change the subscriber hears of' });
    await waitFor(() => updates.includes(uri), 10_000);

    // the replica holding the stream goes away: the client's stream reopens on another replica,
    // which tells it the subscribed resource may have changed meanwhile, and notifies from then on
    const holder = replicas.find((r) => (proxy.openStreams.get(r.origin) ?? 0) > 0)!;
    const before = updates.length;
    proxy.setUpstreams(replicas.filter((r) => r !== holder).map((r) => r.origin));
    await holder.close();
    await waitFor(() => updates.length > before, 10_000);
    const afterResync = updates.length;
    await c.ok('attach_evidence', { run_id: run.run_id, kind: 'note', content: 'a change after the move' });
    await waitFor(() => updates.length > afterResync, 10_000);
    await c.close();
  });

  it('resumes the standalone stream on another replica with Last-Event-ID, and resyncs its subscriptions there', async () => {
    const token = await makeToken(t.app, { kind: 'agent', agent: 'streamer', role: 'implementer' });
    const c = await connectHttp(replicas[0]!.url, token);
    const run = await c.ok<{ run_id: string }>('start_run', { title: 'streamed' });
    const uri = `fleet://runs/${run.run_id}`;
    await c.client.subscribeResource({ uri });
    const headers = { Authorization: `Bearer ${token}`, 'mcp-session-id': c.transport.sessionId!, 'mcp-protocol-version': '2025-11-25', Accept: 'text/event-stream' };
    await c.transport.close(); // the SDK client's own stream goes; a raw one takes its place
    const firstEvent = async (url: string, extra: Record<string, string> = {}, onOpen?: () => Promise<void>) => {
      const aborted = new AbortController();
      const res = await fetch(url, { method: 'GET', headers: { ...headers, ...extra }, signal: aborted.signal });
      expect(res.status).toBe(200);
      await onOpen?.();
      const reader = res.body!.getReader();
      let text = '';
      while (!/^data: \{/m.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      aborted.abort();
      return { id: /^id: (.+)$/m.exec(text)?.[1], data: /^data: (.+)$/m.exec(text)![1]! };
    };
    const other = await connectHttp(replicas[1]!.url, token);
    const live = await firstEvent(replicas[0]!.url, {}, async () => {
      await new Promise((r) => setTimeout(r, 200));
      await other.ok('attach_evidence', { run_id: run.run_id, kind: 'note', content: 'changed' });
    });
    expect(JSON.parse(live.data)).toMatchObject({ method: 'notifications/resources/updated', params: { uri } });
    expect(live.id).toMatch(/^_GET_stream\//);
    const resumed = await firstEvent(replicas[2]!.url, { 'last-event-id': live.id! });
    expect(JSON.parse(resumed.data)).toMatchObject({ method: 'notifications/resources/updated', params: { uri } });
    await other.close();
  });

  it('keeps no session for an initialize the transport refused', async () => {
    const token = await makeToken(t.app, { kind: 'agent', agent: 'plain', role: 'implementer' });
    const refused = await rawRequest(replicas[0]!.url, {
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }),
    });
    expect(refused.status).toBe(406);
    // the replica discards it right after answering
    let left = -1;
    for (const until = Date.now() + 5_000; left !== 0 && Date.now() < until; await new Promise((r) => setTimeout(r, 20))) left = await countMcpSessions(t.app.deps);
    expect(left).toBe(0);
    expect(replicas[0]!.sessions()).toBe(0);
  });

  it('reaps a session idle past --http-session-idle-seconds from the database, for every replica', async () => {
    const token = await makeToken(t.app, { kind: 'agent', agent: 'sleeper', role: 'implementer' });
    const quick = await startTestHttp(apps[0]!, { sessionIdleSeconds: 1 });
    try {
      const c = await connectHttp(proxy.url, token);
      await c.ok('whoami');
      const sessionId = c.transport.sessionId!;
      t.clock.advance(10_000); // the session's last sign of use is now 10 s old (the reaper reads the injected clock)
      const list = () =>
        rawRequest(replicas[1]!.url, {
          headers: { ...MCP_HEADERS, Authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: {} }),
        });
      // the reaper runs every half second with a 1 s idle limit; a replica re-checks its copy each second
      let status = 0;
      for (const until = Date.now() + 5_000; status !== 404 && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) status = (await list()).status;
      expect(status).toBe(404);
      await c.client.close();
    } finally {
      await quick.close();
    }
  });

  it('resumes a request\'s SSE stream on another replica with Last-Event-ID', async () => {
    const token = await makeToken(t.app, { kind: 'agent', agent: 'resumer', role: 'implementer' });
    const c = await connectHttp(replicas[0]!.url, token);
    const sessionId = c.transport.sessionId!;
    const headers = { ...MCP_HEADERS, Authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    // a long poll whose stream starts with a priming event (the position to resume from); the
    // client loses the stream right after it, before the answer
    const aborted = new AbortController();
    const res = await fetch(replicas[0]!.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 77, method: 'tools/call', params: { name: 'take_task', arguments: { wait_seconds: 1 } } }),
      signal: aborted.signal,
    });
    const reader = res.body!.getReader();
    let head = '';
    while (!head.includes('\n\n')) head += new TextDecoder().decode((await reader.read()).value);
    aborted.abort();
    const primingId = /^id: (.+)$/m.exec(head)![1]!;
    expect(primingId).toMatch(/\//);
    // it resumes on another replica, which follows the stream in the database until the answer
    const resumed = await readSse(replicas[2]!.url, { method: 'GET', headers: { ...headers, Accept: 'text/event-stream', 'last-event-id': primingId } });
    expect(resumed).toHaveLength(1);
    expect(JSON.parse(resumed[0]!.data)).toMatchObject({ id: 77, result: { structuredContent: { run: null } } });
    expect(resumed[0]!.id!.split('/')[0]).toBe(primingId.split('/')[0]);
    await c.close();
  });
});

async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The events of an SSE response, read until the server ends it. */
async function readSse(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<{ id?: string; data: string }[]> {
  const res = await fetch(url, init);
  expect(res.status).toBe(200);
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.split('\n').some((l) => l.startsWith('data:')))
    .map((block) => {
      const lines = block.split('\n');
      const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
      const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
      return { id, data };
    });
}
