import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/domain/limits.js';
import { tempDir } from '../helpers/app.js';
import { spawnServer, type StdioClient } from '../helpers/stdio.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The built server over stdio, two processes sharing one database: evidence attached by one
 * agent process is read back byte for byte, and verified, by an operator process.
 */
describe('evidence across processes over stdio', () => {
  let tmp: { dir: string; cleanup: () => void };
  let ws: string;
  let db: string;
  const servers: StdioClient[] = [];

  beforeEach(() => {
    tmp = tempDir('fleetdeck-evidence-e2e-');
    ws = join(tmp.dir, 'ws');
    mkdirSync(ws);
    db = join(tmp.dir, 'data', 'fleet.db');
    mkdirSync(join(tmp.dir, 'data')); // serve creates the database, never a missing directory
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    tmp.cleanup();
  });

  it('attaches a binary file and a large blob in one process and reads the exact bytes in another', async () => {
    const agent = await spawnServer({ db, cwd: ws });
    servers.push(agent);
    await agent.ok('register_agent', { name: 'alice', role: 'implementer' });
    const { run_id } = await agent.ok<{ run_id: string }>('start_run', { title: 'screenshot the bug' });

    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(3000)]);
    writeFileSync(join(ws, 'bug.png'), png);
    const small = await agent.ok<{ artifact_id: string; sha256: string; uri: string; stored: string }>('attach_evidence', {
      run_id,
      kind: 'screenshot',
      path: 'bug.png',
    });
    expect(small).toMatchObject({ sha256: sha(png), stored: 'inline' });

    const big = randomBytes(LIMITS.inlineBlobBytes + 4096);
    const large = await agent.ok<{ artifact_id: string; sha256: string; uri: string; stored: string }>('attach_evidence', {
      run_id,
      kind: 'trace',
      name: 'trace.bin',
      content: big.toString('base64'),
      encoding: 'base64',
    });
    expect(large.stored).toBe('file');
    expect(existsSync(join(tmp.dir, 'data', 'blobs', large.sha256.slice(0, 2), large.sha256))).toBe(true);

    const escape = await agent.call('attach_evidence', { run_id, kind: 'log', path: '../data/fleet.db' });
    expect((escape.structuredContent.error as { code: string }).code).toBe('FORBIDDEN');

    const operator = await spawnServer({ db, cwd: ws, args: ['--operator'] });
    servers.push(operator);
    for (const [out, bytes, mime] of [
      [small, png, 'image/png'],
      [large, big, 'application/octet-stream'],
    ] as const) {
      const content = (await operator.client.readResource({ uri: out.uri })).contents[0]!;
      expect(content.mimeType).toBe(mime);
      expect(Buffer.from((content as { blob: string }).blob, 'base64').equals(bytes)).toBe(true);
      const verified = await operator.ok<{ ok: boolean; actual_sha256: string }>('verify_artifact', { artifact_id: out.artifact_id });
      expect(verified).toMatchObject({ ok: true, actual_sha256: sha(bytes) });
    }
  });
});
