import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendStreamEvents,
  endMcpSession,
  getMcpSession,
  mcpSessionSubscriptions,
  openMcpSession,
  reapMcpSessions,
  streamEventsAfter,
  subscribeMcpSession,
  touchMcpSession,
  unsubscribeMcpSession,
} from '../../src/services/mcp-sessions.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

const params = { protocolVersion: '2025-11-25', capabilities: { elicitation: {} }, clientInfo: { name: 'test', version: '1' } };
const open = (t: TestApp, id: string, identity = 'agent:agt_1', limits = { keepPerIdentity: 16, maxSessions: 100 }) =>
  openMcpSession(t.app.deps, { id, identity, protocolVersion: '2025-11-25', initializeParams: params, ...limits });

describe('MCP sessions in the database (the HTTP transport\'s session state)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp();
  });
  afterEach(() => t.close());

  it('stores a session with its initialize params, moves last_seen_at forward only, and ends it', async () => {
    expect(await open(t, 's1')).toEqual({ ok: true, ended: [] });
    const stored = await getMcpSession(t.app.deps, 's1');
    expect(stored).toMatchObject({ id: 's1', identity: 'agent:agt_1', protocolVersion: '2025-11-25', initializeParams: params });
    t.clock.advance(5_000);
    expect(await touchMcpSession(t.app.deps, 's1')).toBe(true);
    expect((await getMcpSession(t.app.deps, 's1'))!.lastSeenAt).toBe(stored!.createdAt + 5_000);
    expect(await endMcpSession(t.app.deps, 's1')).toBe(true);
    expect(await getMcpSession(t.app.deps, 's1')).toBeNull();
    expect(await touchMcpSession(t.app.deps, 's1')).toBe(false);
    expect(await endMcpSession(t.app.deps, 's1')).toBe(false);
  });

  it('keeps the newest sessions of one identity, and refuses a new one when the fleet is full', async () => {
    const limits = { keepPerIdentity: 2, maxSessions: 4 };
    for (const id of ['a', 'b']) {
      expect(await open(t, id, 'agent:agt_1', limits)).toEqual({ ok: true, ended: [] });
      t.clock.advance(1_000);
    }
    expect(await open(t, 'c', 'agent:agt_1', limits)).toEqual({ ok: true, ended: ['a'] });
    expect(await getMcpSession(t.app.deps, 'a')).toBeNull();
    await open(t, 'x', 'operator:ops', limits);
    await open(t, 'y', 'operator:ops', limits);
    expect(await open(t, 'z', 'operator:ops', limits)).toEqual({ ok: false, reason: 'full' });
    expect(await getMcpSession(t.app.deps, 'z')).toBeNull();
  });

  it('keeps subscriptions per session, idempotently, and drops them with the session', async () => {
    await open(t, 's1');
    await subscribeMcpSession(t.app.deps, 's1', 'fleet://runs/run_1');
    await subscribeMcpSession(t.app.deps, 's1', 'fleet://runs/run_1');
    await subscribeMcpSession(t.app.deps, 's1', 'fleet://overview');
    expect(await mcpSessionSubscriptions(t.app.deps, 's1')).toEqual(['fleet://overview', 'fleet://runs/run_1']);
    await unsubscribeMcpSession(t.app.deps, 's1', 'fleet://overview');
    expect(await mcpSessionSubscriptions(t.app.deps, 's1')).toEqual(['fleet://runs/run_1']);
    await endMcpSession(t.app.deps, 's1');
    expect(await mcpSessionSubscriptions(t.app.deps, 's1')).toEqual([]);
  });

  it('replays a stream\'s events after a key, in key order, and ages them out', async () => {
    await open(t, 's1');
    const event = (streamId: string, eventKey: string, createdAt: number) => ({ sessionId: 's1', streamId, eventKey, message: JSON.stringify({ k: eventKey }), createdAt });
    await appendStreamEvents(t.app.deps, [event('st', '0002', 10), event('st', '0001', 10), event('other', '0003', 10), event('st', '0004', 50)]);
    // a batch written twice (a retried flush) is stored once
    await appendStreamEvents(t.app.deps, [event('st', '0004', 50)]);
    expect((await streamEventsAfter(t.app.deps, 's1', 'st', '0001', 10)).map((e) => e.eventKey)).toEqual(['0002', '0004']);
    expect((await streamEventsAfter(t.app.deps, 's1', 'st', '0', 1)).map((e) => e.eventKey)).toEqual(['0001']);
    await reapMcpSessions(t.app.deps, 0, 20);
    expect((await streamEventsAfter(t.app.deps, 's1', 'st', '0', 10)).map((e) => e.eventKey)).toEqual(['0004']);
  });

  it('reaps sessions idle since a cut-off, with their events', async () => {
    await open(t, 'old');
    t.clock.advance(60_000);
    await open(t, 'new');
    await appendStreamEvents(t.app.deps, [{ sessionId: 'old', streamId: 'st', eventKey: 'k1', message: '{}', createdAt: t.clock.now() }]);
    expect(await reapMcpSessions(t.app.deps, t.clock.now() - 30_000, 0)).toEqual(['old']);
    expect(await getMcpSession(t.app.deps, 'old')).toBeNull();
    expect(await getMcpSession(t.app.deps, 'new')).not.toBeNull();
    expect(await streamEventsAfter(t.app.deps, 'old', 'st', '', 10)).toEqual([]);
  });
});
