/**
 * Issue 13, items 3 and 6, over a real spawned stdio server: a message over the transport's limit
 * is refused (TOO_LARGE) and the connection carries on; non-object `arguments` are a tool error
 * INVALID_INPUT, not a JSON-RPC internal error.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/domain/limits.js';
import { errorCode, tempDir } from '../helpers/app.js';
import { initializeRaw, isAlive, spawnRaw, spawnServer, type RawServer, type StdioClient } from '../helpers/stdio.js';

describe('stdio message limits', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  const clients: StdioClient[] = [];
  const raws: RawServer[] = [];

  beforeEach(() => {
    tmp = tempDir('fleetdeck-limits-');
    db = join(tmp.dir, 'fleet.db');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
    for (const raw of raws.splice(0)) if (raw.child.exitCode === null) raw.child.kill('SIGKILL');
    tmp.cleanup();
  });

  it('refuses an 8 MiB base64 attach_evidence with TOO_LARGE and keeps serving the same connection', async () => {
    const agent = await spawnServer({ db, cwd: tmp.dir });
    clients.push(agent);
    await agent.ok('register_agent', { name: 'big', role: 'implementer' });
    const { run_id } = await agent.ok<{ run_id: string }>('start_run', { title: 'large evidence' });
    const content = randomBytes(8 * 1024 * 1024).toString('base64');
    expect(content.length).toBeGreaterThan(LIMITS.messageBytes);

    const refused = await agent.call('attach_evidence', { run_id, kind: 'log', content, encoding: 'base64' });
    expect(refused.isError).toBe(true);
    expect(errorCode(refused)).toBe('TOO_LARGE');
    expect((refused.structuredContent.error as { hint: string }).hint).toContain('by path');

    // same process, same connection
    expect(isAlive(agent.pid)).toBe(true);
    const who = await agent.ok<{ agent: { name: string } }>('whoami');
    expect(who.agent.name).toBe('big');
    // the largest inline content the schema admits fits in a message and is decided by the service
    const fits = await agent.call('attach_evidence', { run_id, kind: 'log', content: 'x'.repeat(LIMITS.inlineContentChars) });
    expect(fits.isError).toBeFalsy();
    expect(fits.structuredContent.bytes).toBe(LIMITS.inlineContentChars);
  });

  it('answers an oversized non-tool request with a JSON-RPC error, an unreadable one with id null, and goes on', async () => {
    const server = spawnRaw({ db });
    raws.push(server);
    await initializeRaw(server);
    const huge = 'a'.repeat(LIMITS.messageBytes + 1024);
    const answered = new Promise<Record<string, unknown>>((resolve) => {
      const check = setInterval(() => {
        const line = server.lines.find((l) => l.includes('"id":77'));
        if (line) {
          clearInterval(check);
          resolve(JSON.parse(line) as Record<string, unknown>);
        }
      }, 20);
    });
    // the id comes last, as the SDK's client writes it
    server.child.stdin.write(`{"jsonrpc":"2.0","method":"resources/read","params":{"uri":"fleet://overview","pad":"${huge}"},"id":77}\n`);
    const error = (await answered).error as { code: number; data: { code: string } };
    expect(error.code).toBe(-32600);
    expect(error.data.code).toBe('TOO_LARGE');

    const before = server.lines.length;
    server.child.stdin.write(`${huge}\n`);
    const overview = await server.request('resources/read', { uri: 'fleet://overview' });
    expect(overview.result).toBeDefined();
    const nullAnswer = server.lines.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>).find((m) => m.id === null);
    expect((nullAnswer?.error as { data: { code: string } }).data.code).toBe('TOO_LARGE');
    expect(server.child.exitCode).toBeNull();
  });

  it.each([
    ['an array', []],
    ['a number', 42],
    ['null', null],
    ['a string', 'x'],
  ])('answers arguments that are %s with the tool error INVALID_INPUT', async (_what, args) => {
    const server = spawnRaw({ db });
    raws.push(server);
    await initializeRaw(server);
    const response = await server.request('tools/call', { name: 'whoami', arguments: args });
    expect(response.error).toBeUndefined();
    const result = response.result as { isError: boolean; structuredContent: { error: { code: string; message: string } } };
    expect(result.isError).toBe(true);
    expect(result.structuredContent.error.code).toBe('INVALID_INPUT');
    expect(result.structuredContent.error.message).toContain('arguments must be an object');
    // omitted arguments are still fine
    const omitted = await server.request('tools/call', { name: 'fleet_status' });
    expect((omitted.result as { isError?: boolean }).isError).toBeFalsy();
  });
});
