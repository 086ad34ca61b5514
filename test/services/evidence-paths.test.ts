import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetError } from '../../src/domain/errors.js';
import { blobPath, readBlobFile, writeBlobFile } from '../../src/services/evidence/blob-files.js';
import { readWorkspaceFile } from '../../src/services/evidence/paths.js';
import { tempDir } from '../helpers/app.js';

async function refusal(promise: Promise<unknown>): Promise<FleetError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FleetError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('evidence paths: only regular files inside the workspace root', () => {
  let tmp: { dir: string; cleanup: () => void };
  let root: string;
  let outside: string;
  const rules = { limit: 1000, forbidden: [] as string[] };

  beforeEach(() => {
    tmp = tempDir('fleetdeck-paths-');
    root = join(tmp.dir, 'ws');
    outside = join(tmp.dir, 'outside');
    mkdirSync(join(root, 'src', 'deep'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(root, 'src', 'a.txt'), 'inside\n');
    writeFileSync(join(outside, 'secret.txt'), 'do not read\n');
  });
  afterEach(() => tmp.cleanup());

  it('reads relative and absolute paths inside the root, and names them relative to it', async () => {
    const rel = await readWorkspaceFile(root, 'src/a.txt', rules);
    expect(rel.bytes.toString()).toBe('inside\n');
    expect(rel.relative).toBe('src/a.txt');
    const abs = await readWorkspaceFile(root, join(root, 'src', 'a.txt'), rules);
    expect(abs.relative).toBe('src/a.txt');
    // `..` that stays inside is fine
    expect((await readWorkspaceFile(root, 'src/deep/../a.txt', rules)).relative).toBe('src/a.txt');
  });

  it('refuses .. escapes and absolute paths outside the root with FORBIDDEN', async () => {
    expect((await refusal(readWorkspaceFile(root, '../outside/secret.txt', rules))).code).toBe('FORBIDDEN');
    expect((await refusal(readWorkspaceFile(root, join(outside, 'secret.txt'), rules))).code).toBe('FORBIDDEN');
    expect((await refusal(readWorkspaceFile(root, '/etc/passwd', rules))).code).toBe('FORBIDDEN');
    // a sibling whose name starts with the root's name is not inside it
    mkdirSync(`${root}-evil`);
    writeFileSync(join(`${root}-evil`, 'x.txt'), 'x');
    expect((await refusal(readWorkspaceFile(root, `${root}-evil/x.txt`, rules))).code).toBe('FORBIDDEN');
    // a missing file outside does not reveal whether it exists
    expect((await refusal(readWorkspaceFile(root, '../outside/nope.txt', rules))).code).toBe('FORBIDDEN');
    expect((await refusal(readWorkspaceFile(root, 'src/nope.txt', rules))).code).toBe('NOT_FOUND');
  });

  it('refuses symlink escapes (file and directory links) but follows links that stay inside', async () => {
    symlinkSync(join(outside, 'secret.txt'), join(root, 'leak.txt'));
    symlinkSync(outside, join(root, 'src', 'outdir'));
    symlinkSync(join(root, 'src', 'a.txt'), join(root, 'alias.txt'));
    expect((await refusal(readWorkspaceFile(root, 'leak.txt', rules))).code).toBe('FORBIDDEN');
    expect((await refusal(readWorkspaceFile(root, 'src/outdir/secret.txt', rules))).code).toBe('FORBIDDEN');
    const alias = await readWorkspaceFile(root, 'alias.txt', rules);
    expect(alias.bytes.toString()).toBe('inside\n');
    expect(alias.relative).toBe('src/a.txt');
  });

  it('accepts a root that is itself reached through a symlink', async () => {
    const link = join(tmp.dir, 'ws-link');
    symlinkSync(root, link);
    expect((await readWorkspaceFile(link, 'src/a.txt', rules)).bytes.toString()).toBe('inside\n');
    expect((await refusal(readWorkspaceFile(link, '../outside/secret.txt', rules))).code).toBe('FORBIDDEN');
  });

  it('refuses directories, FIFOs and devices without blocking', async () => {
    const dir = await refusal(readWorkspaceFile(root, 'src', rules));
    expect(dir.code).toBe('INVALID_INPUT');
    expect(dir.message).toMatch(/directory/);
    execFileSync('mkfifo', [join(root, 'pipe')]);
    const fifo = await refusal(readWorkspaceFile(root, 'pipe', rules));
    expect(fifo.code).toBe('INVALID_INPUT');
    expect(fifo.message).toMatch(/FIFO/);
    // /dev as the root: refused before any device is looked at (a root there reads nothing)
    const device = await refusal(readWorkspaceFile('/dev', 'null', rules));
    expect(device.code).toBe('FORBIDDEN');
    expect(device.message).toMatch(/\/dev/);
  });

  it('refuses files larger than the limit with TOO_LARGE, and accepts exactly the limit', async () => {
    writeFileSync(join(root, 'big.log'), Buffer.alloc(1001, 0x61));
    writeFileSync(join(root, 'edge.log'), Buffer.alloc(1000, 0x62));
    const big = await refusal(readWorkspaceFile(root, 'big.log', rules));
    expect(big.code).toBe('TOO_LARGE');
    expect(big.details).toEqual({ limit_bytes: 1000 });
    expect((await readWorkspaceFile(root, 'edge.log', rules)).bytes.length).toBe(1000);
  });

  it('refuses the server’s private folders even inside the root', async () => {
    mkdirSync(join(root, 'tokens'));
    writeFileSync(join(root, 'tokens', 'agt_x'), 'fdk_secret');
    const refused = await refusal(readWorkspaceFile(root, 'tokens/agt_x', { limit: 1000, forbidden: [join(root, 'tokens')] }));
    expect(refused.code).toBe('FORBIDDEN');
  });

  it('refuses NUL bytes and empty paths', async () => {
    expect((await refusal(readWorkspaceFile(root, 'src/a.txt\0.png', rules))).code).toBe('INVALID_INPUT');
    expect((await refusal(readWorkspaceFile(root, '', rules))).code).toBe('INVALID_INPUT');
  });
});

describe('blob files in the data directory', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeEach(() => {
    tmp = tempDir('fleetdeck-blobs-');
  });
  afterEach(() => tmp.cleanup());

  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it('writes blobs/ab/<sha256> atomically, once, and rewrites a damaged copy', async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff));
    const hash = sha(bytes);
    const first = await writeBlobFile(tmp.dir, hash, bytes);
    expect(first).toEqual({ path: join(tmp.dir, 'blobs', hash.slice(0, 2), hash), written: true });
    expect(readFileSync(first.path).equals(bytes)).toBe(true);
    // no temporary files left behind
    expect(readdirSync(join(tmp.dir, 'blobs', hash.slice(0, 2)))).toEqual([hash]);

    expect((await writeBlobFile(tmp.dir, hash, bytes)).written).toBe(false);

    writeFileSync(first.path, 'tampered');
    expect((await writeBlobFile(tmp.dir, hash, bytes)).written).toBe(true);
    expect((await readBlobFile(tmp.dir, hash))!.equals(bytes)).toBe(true);
  });

  it('returns null for a missing blob and never builds a path from anything but a sha256', async () => {
    expect(await readBlobFile(tmp.dir, 'a'.repeat(64))).toBeNull();
    expect(() => blobPath(tmp.dir, '../../etc/passwd')).toThrow(/not a sha256/);
  });
});
