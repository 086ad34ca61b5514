import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { errorCode, tempDir } from '../helpers/app.js';
import { CLI, initializeRaw, spawnRaw, spawnServer, waitForExit, type RawServer, type StdioClient } from '../helpers/stdio.js';

describe('the built server over stdio', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  const open: StdioClient[] = [];
  const raws: RawServer[] = [];

  beforeEach(() => {
    tmp = tempDir('fleetdeck-e2e-');
    db = join(tmp.dir, 'fleet.db');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close().catch(() => {})));
    for (const raw of raws.splice(0)) if (raw.child.exitCode === null) raw.child.kill('SIGKILL');
    tmp.cleanup();
  });

  const serve = async (args: string[] = [], logLevel?: string) => {
    const c = await spawnServer({ db, args, logLevel });
    open.push(c);
    return c;
  };
  const raw = (args: string[] = [], logLevel?: string) => {
    const r = spawnRaw({ db, args, logLevel });
    raws.push(r);
    return r;
  };

  it('writes nothing but JSON-RPC messages to stdout, even with debug logging on', async () => {
    const server = raw([], 'debug');
    const init = await initializeRaw(server);
    expect((init.result as { serverInfo: { name: string } }).serverInfo.name).toBe('fleetdeck');
    const reg = await server.request('tools/call', { name: 'register_agent', arguments: { name: 'pipe', role: 'implementer' } });
    expect((reg.result as { structuredContent: { agent_id: string } }).structuredContent.agent_id).toMatch(/^agt_/);
    const bad = await server.request('tools/call', { name: 'heartbeat', arguments: { progress: 'lots' } });
    expect((bad.result as { isError: boolean }).isError).toBe(true);
    await server.request('tools/call', { name: 'no_such_tool', arguments: {} });
    await server.request('resources/read', { uri: 'fleet://overview' });
    await server.request('no/such/method', {});
    server.child.stdin.end();
    expect(await server.exited()).toEqual({ code: 0, signal: null });

    expect(server.lines.length).toBeGreaterThanOrEqual(6);
    for (const line of server.lines) {
      const message = JSON.parse(line) as Record<string, unknown>;
      expect(message.jsonrpc, line).toBe('2.0');
      expect('result' in message || 'error' in message || 'method' in message, line).toBe(true);
    }
    // the logs went somewhere: stderr, as pino JSON lines
    const logLines = server.stderr().trim().split('\n');
    expect(logLines.length).toBeGreaterThan(0);
    expect(JSON.parse(logLines[0]!)).toHaveProperty('level');
  });

  it('exits with code 0 when the client closes stdin, with the sweep and a subscription timer running', async () => {
    const server = raw(['--sweep-seconds', '0.05', '--poll-ms', '10'], 'info');
    await initializeRaw(server);
    await server.request('tools/call', { name: 'register_agent', arguments: { name: 'leaver', role: 'implementer' } });
    const sub = await server.request('resources/subscribe', { uri: 'fleet://overview' });
    expect(sub.error).toBeUndefined();
    server.child.stdin.end();
    const exit = await server.exited(15_000);
    expect(exit, `process still running\n${server.stderr()}`).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toMatch(/"reason":"(stdin ended|stdin closed|transport closed)"/);
  });

  it('exits on its own when an SDK client closes (no SIGTERM needed)', async () => {
    const c = await serve(['--sweep-seconds', '0.05'], 'info');
    await c.ok('register_agent', { name: 'closer', role: 'implementer' });
    await c.client.subscribeResource({ uri: 'fleet://agents' });
    await c.close();
    expect(await waitForExit(c.pid)).toBe(true);
    expect(c.stderr()).toMatch(/"reason":"(stdin ended|stdin closed|transport closed)"/);
    expect(c.stderr()).not.toMatch(/"reason":"SIGTERM"/);
  });

  it('serve --agent NAME --role ROLE registers at start and resumes the same identity on the next start', async () => {
    const first = await serve(['--agent', 'alice', '--role', 'implementer']);
    const who1 = await first.ok<{ bound: boolean; agent: { agent_id: string; name: string; role: string } }>('whoami');
    expect(who1.bound).toBe(true);
    expect(who1.agent).toMatchObject({ name: 'alice', role: 'implementer' });
    await first.close();
    expect(await waitForExit(first.pid)).toBe(true);

    const second = await serve(['--agent', 'alice', '--role', 'implementer']);
    const who2 = await second.ok<{ agent: { agent_id: string } }>('whoami');
    expect(who2.agent.agent_id).toBe(who1.agent.agent_id);
    // the same name in another role is another identity
    const reviewer = await serve(['--agent', 'alice', '--role', 'reviewer']);
    const who3 = await reviewer.ok<{ agent: { agent_id: string } }>('whoami');
    expect(who3.agent.agent_id).not.toBe(who1.agent.agent_id);

    // the token never passed through a transcript: it sits in a user-only file next to the db
    const tokenFile = join(tmp.dir, 'tokens', who1.agent.agent_id);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(tmp.dir, 'tokens')).mode & 0o777).toBe(0o700);

    const events = await second.ok<{ events: { type: string }[] }>('list_events', { agent_id: who1.agent.agent_id });
    expect(events.events.map((e) => e.type)).toEqual(['agent.registered', 'agent.resumed']);
  });

  it('answers bad input over stdio with INVALID_INPUT or TOO_LARGE and writes nothing to the file', async () => {
    const c = await serve(['--sweep-seconds', '3600']);
    await c.ok('register_agent', { name: 'careful', role: 'implementer' });
    await c.ok('heartbeat', {}); // the sign of life of this second is recorded; the bad calls below must add nothing
    const watcher = new Database(db, { readonly: true });
    try {
      const version = () => watcher.pragma('data_version', { simple: true }) as number;
      const events = () => watcher.prepare('SELECT count(*) FROM events').pluck().get() as number;
      const before = { version: version(), events: events() };

      const cases: [string, Record<string, unknown>, string][] = [
        ['heartbeat', { progress: 'half' }, 'INVALID_INPUT'], // wrong type
        ['heartbeat', { status: 'sleeping' }, 'INVALID_INPUT'], // not in the enum
        ['heartbeat', { progress: 2 }, 'INVALID_INPUT'], // out of range
        ['heartbeat', { surprise: true }, 'INVALID_INPUT'], // unknown field (.strict())
        ['register_agent', { name: 'x' }, 'INVALID_INPUT'], // missing field
        ['heartbeat', { note: 'n'.repeat(100_000) }, 'TOO_LARGE'], // oversized string
        ['list_events', { types: Array.from({ length: 500 }, () => 'agent.heartbeat') }, 'TOO_LARGE'], // oversized list
        ['heartbeat', { run_id: 'not-a-run' }, 'INVALID_INPUT'], // malformed id
        ['no_such_tool', {}, 'INVALID_INPUT'], // unknown tool
      ];
      for (const [tool, args, code] of cases) {
        const result = await c.call(tool, args);
        expect(result.isError, `${tool} ${JSON.stringify(args).slice(0, 60)}`).toBe(true);
        expect(errorCode(result), `${tool} ${JSON.stringify(args).slice(0, 60)}`).toBe(code);
        const error = result.structuredContent.error as { hint?: string };
        expect(error.hint, 'every error carries a hint').toBeTruthy();
      }
      expect({ version: version(), events: events() }).toEqual(before);
      // and the process is still fine
      expect((await c.ok<{ bound: boolean }>('whoami')).bound).toBe(true);
    } finally {
      watcher.close();
    }
  });

  it('delivers a signal written by another process once, on the next result (errors too), and whoami keeps showing it', async () => {
    const c = await serve(['--agent', 'dana', '--role', 'implementer']);
    const me = (await c.ok<{ agent: { agent_id: string } }>('whoami')).agent.agent_id;
    const other = await SqliteStore.open({ file: db, synchronous: 'FULL', now: () => Date.now() });
    const send = (message: string) =>
      other.write(async (tx) => await tx.signals.insert({ agentId: me, kind: 'notice', message, payload: { from: 'test' } }, Date.now()));
    try {
      await send('first');
      const withSignal = await c.ok<{ signals?: { kind: string; message: string }[] }>('heartbeat', {});
      expect(withSignal.signals?.map((s) => s.message)).toEqual(['first']);
      expect((await c.ok<{ signals?: unknown[] }>('heartbeat', {})).signals).toBeUndefined();

      await send('second');
      const failed = await c.call('heartbeat', { progress: 'bad' });
      expect(errorCode(failed)).toBe('INVALID_INPUT');
      expect((failed.structuredContent.signals as { message: string }[]).map((s) => s.message)).toEqual(['second']);

      const who = await c.ok<{ recent_signals: { message: string }[]; signals?: unknown[] }>('whoami');
      expect(who.signals).toBeUndefined();
      expect(who.recent_signals.map((s) => s.message)).toEqual(['second', 'first']);
    } finally {
      other.close();
    }
  });

  it('serves the operator toolset with --operator, bound to the operator identity', async () => {
    const op = await serve(['--operator']);
    const who = await op.ok<{ kind: string; operator: string }>('whoami');
    expect(who.kind).toBe('operator');
    const refused = await op.call('register_agent', { name: 'x', role: 'implementer' });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const hb = await op.call('heartbeat', {});
    expect(errorCode(hb)).toBe('FORBIDDEN');
  });

  it('shares one fleet between processes and notifies a subscriber of another process’s writes', async () => {
    const watcher = await serve([], 'warn');
    const worker = await serve();
    const updated = new Promise<string>((resolve) => {
      watcher.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri));
    });
    await watcher.client.subscribeResource({ uri: 'fleet://agents' });
    const reg = await worker.ok<{ agent_id: string }>('register_agent', { name: 'bob', role: 'reviewer' });
    const uri = await Promise.race([updated, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no notification')), 20_000))]);
    expect(uri).toBe('fleet://agents');
    const status = await watcher.ok<{ agents: { total: number; active: number } }>('fleet_status');
    expect(status.agents).toMatchObject({ total: 1, active: 1 });
    const agents = JSON.parse(((await watcher.client.readResource({ uri: 'fleet://agents' })).contents[0] as { text: string }).text) as {
      agents: { agent_id: string }[];
    };
    expect(agents.agents.map((a) => a.agent_id)).toEqual([reg.agent_id]);
  });

  it('lists every setting with its environment variable in serve --help', () => {
    const help = execFileSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
    for (const word of ['--db', 'FLEETDECK_DB', '--agent-lease-seconds', 'FLEETDECK_AGENT_LEASE_SECONDS', '--sweep-seconds', 'FLEETDECK_SWEEP_SECONDS', '--workspace', 'FLEETDECK_WORKSPACE', '--operator', '--agent']) {
      expect(help).toContain(word);
    }
  });
});
