import { ResourceUpdatedNotificationSchema, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/domain/limits.js';
import { connectClient, errorCode, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';
import { TEST_ENGINE } from '../helpers/postgres.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Attached {
  artifact_id: string;
  sha256: string;
  bytes: number;
  media_type: string;
  name: string;
  stored: string;
  deduplicated: boolean;
  uri: string;
  next: string;
}

type Content = ReadResourceResult['contents'][number];

/** The bytes a resource read returned, whether as text or as a base64 blob. */
function bytesOf(content: Content): Buffer {
  if ('blob' in content && typeof content.blob === 'string') return Buffer.from(content.blob, 'base64');
  return Buffer.from((content as { text: string }).text, 'utf8');
}

describe('evidence over MCP (real client, real SQLite)', () => {
  let t: TestApp;
  let alice: TestClient;
  let run: string;

  beforeEach(async () => {
    t = await openTestApp();
    alice = await connectClient(t.app);
    await alice.ok('register_agent', { name: 'alice', role: 'implementer' });
    run = (await alice.ok<{ run_id: string }>('start_run', { title: 'fix the tokenizer' })).run_id;
  });
  afterEach(async () => {
    await alice.close();
    t.close();
  });

  const read = async (uri: string) => (await alice.client.readResource({ uri })).contents[0]!;

  it('round-trips text byte for byte through fleet://artifacts/{id}', async () => {
    const text = 'héllo wörld ✓\r\n\ttabs, CRLF, emoji 🚀 and a trailing newline\n';
    const out = await alice.ok<Attached>('attach_evidence', { run_id: run, kind: 'summary', content: text });
    expect(out).toMatchObject({ sha256: sha(Buffer.from(text)), bytes: Buffer.byteLength(text), media_type: 'text/plain', stored: 'inline', deduplicated: false });
    expect(out.uri).toBe(`fleet://artifacts/${out.artifact_id}`);
    expect(out.next).toMatch(/submit_result/);
    const content = await read(out.uri);
    expect(content).toMatchObject({ uri: out.uri, mimeType: 'text/plain', text });
  });

  it('round-trips binary (every byte value) as a base64 blob with its media type', async () => {
    const binary = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(4096), Buffer.from([0xff, 0xfe, 0x00])]);
    const out = await alice.ok<Attached>('attach_evidence', {
      run_id: run,
      kind: 'screenshot',
      name: 'login.png',
      content: binary.toString('base64'),
      encoding: 'base64',
    });
    expect(out).toMatchObject({ sha256: sha(binary), bytes: binary.length, media_type: 'image/png' });
    const content = await read(out.uri);
    expect(content.mimeType).toBe('image/png');
    expect('blob' in content).toBe(true);
    expect(bytesOf(content).equals(binary)).toBe(true);

    // declared text that is not UTF-8 still comes back exactly, as a blob
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]);
    const declared = await alice.ok<Attached>('attach_evidence', { run_id: run, kind: 'log', content: latin1.toString('base64'), encoding: 'base64', media_type: 'text/plain; charset=latin1' });
    const latin = await read(declared.uri);
    expect('blob' in latin).toBe(true);
    expect(bytesOf(latin).equals(latin1)).toBe(true);
  });

  it('attaches workspace files by path (binary and large ones too) and returns the exact bytes', async () => {
    mkdirSync(join(t.dir, 'artifacts'));
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(2000)]);
    writeFileSync(join(t.dir, 'artifacts', 'shot.png'), png);
    const big = randomBytes(LIMITS.inlineBlobBytes * 2);
    writeFileSync(join(t.dir, 'artifacts', 'trace.bin'), big);
    writeFileSync(join(t.dir, 'junit.xml'), '<testsuite tests="3"/>');

    const pngOut = await alice.ok<Attached>('attach_evidence', { run_id: run, kind: 'screenshot', path: 'artifacts/shot.png' });
    expect(pngOut).toMatchObject({ name: 'artifacts/shot.png', media_type: 'image/png', sha256: sha(png) });
    expect(bytesOf(await read(pngOut.uri)).equals(png)).toBe(true);

    const bigOut = await alice.ok<Attached>('attach_evidence', { run_id: run, kind: 'trace', path: join(t.dir, 'artifacts', 'trace.bin') });
    // PostgreSQL replicas share no data directory: there every blob lives in the database
    expect(bigOut).toMatchObject({ stored: TEST_ENGINE === 'postgres' ? 'inline' : 'file', bytes: big.length, media_type: 'application/octet-stream' });
    expect(bytesOf(await read(bigOut.uri)).equals(big)).toBe(true);

    const xml = await alice.ok<Attached>('attach_evidence', { run_id: run, kind: 'test-output', path: './junit.xml' });
    expect(await read(xml.uri)).toMatchObject({ mimeType: 'application/xml', text: '<testsuite tests="3"/>' });
  });

  it('refuses path escapes (.., absolute, symlinks) and non-regular files, storing nothing', async () => {
    const outsideFile = join(t.dir, '..', `${basename(t.dir)}-secret.txt`);
    writeFileSync(outsideFile, 'secret');
    mkdirSync(join(t.dir, 'sub'));
    symlinkSync(outsideFile, join(t.dir, 'sub', 'innocent.txt'));
    symlinkSync('/etc', join(t.dir, 'etc-link'));
    try {
      for (const path of [`../${basename(outsideFile)}`, outsideFile, '/etc/passwd', 'sub/innocent.txt', 'etc-link/passwd', 'sub/../../x']) {
        const result = await alice.call('attach_evidence', { run_id: run, kind: 'log', path });
        expect(result.isError, path).toBe(true);
        expect(errorCode(result), path).toBe('FORBIDDEN');
        expect((result.structuredContent.error as { hint: string }).hint).toMatch(/workspace/);
      }
      const dir = await alice.call('attach_evidence', { run_id: run, kind: 'log', path: 'sub' });
      expect(errorCode(dir)).toBe('INVALID_INPUT');
      const both = await alice.call('attach_evidence', { run_id: run, kind: 'log', path: 'x', content: 'y' });
      expect(errorCode(both)).toBe('INVALID_INPUT');
    } finally {
      rmSync(outsideFile, { force: true });
    }
    const listed = await alice.client.listResources();
    expect(listed.resources.filter((r) => r.uri.startsWith('fleet://artifacts/'))).toEqual([]);
    const events = await alice.ok<{ events: unknown[] }>('list_events', { types: ['artifact.attached'] });
    expect(events.events).toEqual([]);
  });

  it('bounds input: oversize content is TOO_LARGE, unknown fields and unsafe kinds INVALID_INPUT', async () => {
    const huge = await alice.call('attach_evidence', { run_id: run, kind: 'log', content: 'x'.repeat(LIMITS.artifactBytes + 1) });
    expect(errorCode(huge)).toBe('TOO_LARGE');
    const extra = await alice.call('attach_evidence', { run_id: run, kind: 'log', content: 'x', sha256: 'forged' });
    expect(errorCode(extra)).toBe('INVALID_INPUT');
    const kind = await alice.call('attach_evidence', { run_id: run, kind: '../etc', content: 'x' });
    expect(errorCode(kind)).toBe('INVALID_INPUT');
  });

  it('refuses another agent’s evidence on my run with LEASE_LOST; anyone bound can read and verify it', async () => {
    const mine = await alice.ok<Attached>('attach_evidence', { run_id: run, kind: 'patch', name: 'fix.patch', content: '--- a\n+++ b\n' });
    expect(mine.media_type).toBe('text/x-diff');

    const bob = await connectClient(t.app);
    await bob.ok('register_agent', { name: 'bob', role: 'implementer' });
    const sneaky = await bob.call('attach_evidence', { run_id: run, kind: 'patch', content: 'evil' });
    expect(errorCode(sneaky)).toBe('LEASE_LOST');
    const verifiedByBob = await bob.ok<{ ok: boolean; expected_sha256: string; actual_sha256: string; bytes: number }>('verify_artifact', { artifact_id: mine.artifact_id });
    expect(verifiedByBob).toMatchObject({ ok: true, expected_sha256: mine.sha256, actual_sha256: mine.sha256, bytes: mine.bytes });
    expect((await bob.client.readResource({ uri: mine.uri })).contents[0]).toMatchObject({ text: '--- a\n+++ b\n' });
    await bob.close();

    const operator = await connectClient(t.app, 'operator');
    expect((await operator.ok<{ ok: boolean }>('verify_artifact', { artifact_id: mine.artifact_id })).ok).toBe(true);
    const missing = await operator.call('verify_artifact', { artifact_id: 'art_nosuchartifact' });
    expect(errorCode(missing)).toBe('NOT_FOUND');
    await operator.close();

    const unbound = await connectClient(t.app);
    expect(errorCode(await unbound.call('verify_artifact', { artifact_id: mine.artifact_id }))).toBe('NOT_REGISTERED');
    await unbound.close();
  });

  it('gates a completed result on the expected evidence kinds (MISSING_EVIDENCE), then accepts it', async () => {
    const started = await alice.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'with evidence', expected_evidence: ['test-output'] });
    const early = await alice.call('submit_result', { run_id: started.run_id, outcome: 'completed', summary: 'done', lease_epoch: started.lease_epoch });
    expect(errorCode(early)).toBe('MISSING_EVIDENCE');
    expect((early.structuredContent.error as { hint: string }).hint).toMatch(/attach_evidence/);

    // a stale epoch is refused before anything is stored
    const stale = await alice.call('attach_evidence', { run_id: started.run_id, kind: 'test-output', content: 'x', lease_epoch: started.lease_epoch + 1 });
    expect(errorCode(stale)).toBe('LEASE_LOST');

    const out = await alice.ok<Attached>('attach_evidence', {
      run_id: started.run_id,
      kind: 'test-output',
      name: 'vitest.txt',
      content: '42 passed\n',
      lease_epoch: started.lease_epoch,
    });
    const view = await alice.ok<{ evidence: { id: string; kind: string; sha256: string; uri: string }[] }>('get_run', { run_id: started.run_id });
    expect(view.evidence).toEqual([expect.objectContaining({ id: out.artifact_id, kind: 'test-output', sha256: out.sha256, uri: out.uri })]);
    const done = await alice.ok<{ run: { state: string } }>('submit_result', {
      run_id: started.run_id,
      outcome: 'completed',
      summary: 'all tests pass',
      evidence: [out.artifact_id],
      lease_epoch: started.lease_epoch,
    });
    expect(done.run.state).toBe('completed');

    // the run is closed: no more evidence, but what it cites still verifies
    expect(errorCode(await alice.call('attach_evidence', { run_id: started.run_id, kind: 'log', content: 'late' }))).toBe('INVALID_STATE');
    expect((await alice.ok<{ ok: boolean }>('verify_artifact', { artifact_id: out.artifact_id })).ok).toBe(true);
  });

  it('stores identical bytes once and lists, completes and announces artifacts', async () => {
    const updated = new Promise<string>((resolve) =>
      alice.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri)),
    );
    await alice.client.subscribeResource({ uri: `fleet://runs/${run}` });
    const a = await alice.ok<Attached>('attach_evidence', { run_id: run, kind: 'log', name: 'one.log', content: 'same' });
    expect(await updated).toBe(`fleet://runs/${run}`);
    const b = await alice.ok<Attached>('attach_evidence', { run_id: run, kind: 'log', name: 'two.log', content: 'same' });
    expect(b).toMatchObject({ sha256: a.sha256, deduplicated: true });
    expect(b.artifact_id).not.toBe(a.artifact_id);

    const listed = (await alice.client.listResources()).resources.filter((r) => r.uri.startsWith('fleet://artifacts/'));
    expect(listed.map((r) => r.uri)).toEqual([b.uri, a.uri]);
    expect(listed[0]!.name).toBe('log: two.log');

    const completion = await alice.client.complete({
      ref: { type: 'ref/resource', uri: 'fleet://artifacts/{artifact_id}' },
      argument: { name: 'artifact_id', value: a.artifact_id.slice(0, 10) },
    });
    expect(completion.completion.values).toContain(a.artifact_id);

    const events = await alice.ok<{ events: { type: string; run_id: string; subject_id: string; payload: Record<string, unknown> }[] }>('list_events', {
      types: ['artifact.attached'],
    });
    expect(events.events.map((e) => e.subject_id)).toEqual([a.artifact_id, b.artifact_id]);
    expect(events.events[0]).toMatchObject({ run_id: run, payload: { kind: 'log', name: 'one.log', bytes: 4, sha256: a.sha256 } });

    await expect(alice.client.readResource({ uri: 'fleet://artifacts/art_nosuchartifact' })).rejects.toThrow(/NOT_FOUND/);
  });
});
