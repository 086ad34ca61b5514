import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetError } from '../../src/domain/errors.js';
import { newId } from '../../src/domain/ids.js';
import { LIMITS } from '../../src/domain/limits.js';
import { registerAgent } from '../../src/services/agents.js';
import { attachEvidence, type AttachInput } from '../../src/services/evidence/attach.js';
import { blobPath } from '../../src/services/evidence/blob-files.js';
import { artifactExists, artifactRunId, evidenceKindsOfRun, listRunArtifacts } from '../../src/services/evidence/steps/artifacts.js';
import { readArtifact } from '../../src/services/evidence/read.js';
import { verifyArtifact } from '../../src/services/evidence/verify.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function refusal(promise: Promise<unknown>): Promise<FleetError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FleetError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('evidence service (real SQLite, real data directory)', () => {
  let t: TestApp;
  let alice: string;
  let bob: string;
  let run: string;
  const db = () => (t.app.deps.store as SqliteStore).db;
  const count = (sql: string, ...params: unknown[]) => db().prepare(sql).pluck().get(...params) as number;

  /** A run leased to `agentId`, created through the runs repository. */
  async function leasedRun(agentId: string, expectedEvidence: string[] = []): Promise<string> {
    const id = newId('run');
    const now = t.clock.now();
    await t.app.deps.store.write(async (tx) =>
      await tx.runs.insert({
        id,
        title: 'fix the parser',
        type: 'task',
        instructions: '',
        context: null,
        contextRef: null,
        origin: 'started',
        toRole: null,
        toAgent: agentId,
        priority: 0,
        maxAttempts: 3,
        ttlSeconds: null,
        idempotencyKey: null,
        inputHash: null,
        submitter: agentId,
        parentRunId: null,
        expectedEvidence,
        onStale: 'requeue',
        now,
        leasedTo: { agentId, leaseExpiresAt: now + 300_000 },
      }),
    );
    return id;
  }

  const attach = (input: Partial<AttachInput>, agentId = alice) => attachEvidence(t.app.deps, agentId, { run_id: run, kind: 'log', ...input });

  beforeEach(async () => {
    t = await openTestApp();
    alice = (await registerAgent(t.app.deps, { name: 'alice', role: 'implementer' })).agent.id;
    bob = (await registerAgent(t.app.deps, { name: 'bob', role: 'implementer' })).agent.id;
    run = await leasedRun(alice);
  });
  afterEach(() => t.close());

  it('round-trips inline text, base64 binary and files byte for byte, with media types', async () => {
    const text = await attach({ content: 'héllo ✓\nline 2\n', kind: 'summary' });
    expect(text.artifact).toMatchObject({ kind: 'summary', name: 'summary', mediaType: 'text/plain', size: Buffer.byteLength('héllo ✓\nline 2\n') });
    expect((await readArtifact(t.app.deps, text.artifact.id)).bytes.toString('utf8')).toBe('héllo ✓\nline 2\n');

    const binary = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(1000)]);
    const bin = await attach({ content: binary.toString('base64'), encoding: 'base64', kind: 'screenshot', name: 'shot.png' });
    expect(bin.artifact.mediaType).toBe('image/png');
    expect(bin.artifact.sha256).toBe(sha(binary));
    expect((await readArtifact(t.app.deps, bin.artifact.id)).bytes.equals(binary)).toBe(true);

    const unnamedBinary = await attach({ content: randomBytes(64).toString('base64url'), encoding: 'base64' });
    expect(unnamedBinary.artifact.mediaType).toBe('application/octet-stream');

    mkdirSync(join(t.dir, 'out'));
    writeFileSync(join(t.dir, 'out', 'report.json'), '{"passed":12}');
    const file = await attach({ path: 'out/report.json', kind: 'report' });
    expect(file.artifact).toMatchObject({ name: 'out/report.json', mediaType: 'application/json', size: 13 });
    expect((await readArtifact(t.app.deps, file.artifact.id)).bytes.toString()).toBe('{"passed":12}');
  });

  it('stores identical bytes once: one blob, two artifacts', async () => {
    const a = await attach({ content: 'same bytes' });
    const b = await attach({ content: Buffer.from('same bytes').toString('base64'), encoding: 'base64', kind: 'report' });
    expect(a.deduplicated).toBe(false);
    expect(b.deduplicated).toBe(true);
    expect(b.artifact.sha256).toBe(a.artifact.sha256);
    expect(b.artifact.id).not.toBe(a.artifact.id);
    expect(count('SELECT count(*) FROM blobs')).toBe(1);
    expect(count('SELECT count(*) FROM artifacts')).toBe(2);
  });

  it('keeps large blobs in the data directory (written once) and small ones inline', async () => {
    const big = randomBytes(LIMITS.inlineBlobBytes + 1);
    const first = await attach({ content: big.toString('base64'), encoding: 'base64', name: 'trace.bin' });
    const second = await attach({ content: big.toString('base64'), encoding: 'base64', name: 'again.bin' });
    expect(first.stored).toBe('file');
    expect(second).toMatchObject({ stored: 'file', deduplicated: true });
    const path = blobPath(t.app.deps.settings.dataDir, sha(big));
    expect(existsSync(path)).toBe(true);
    expect(readdirSync(join(t.app.deps.settings.dataDir, 'blobs', sha(big).slice(0, 2)))).toEqual([sha(big)]);
    expect(db().prepare('SELECT stored, bytes IS NULL AS no_bytes, size FROM blobs').get()).toEqual({ stored: 'file', no_bytes: 1, size: big.length });
    expect((await readArtifact(t.app.deps, second.artifact.id)).bytes.equals(big)).toBe(true);

    const small = await attach({ content: 'x'.repeat(LIMITS.inlineBlobBytes) });
    expect(small.stored).toBe('inline');
  });

  it('appends artifact.attached with kind, name, bytes and sha256 in the same transaction', async () => {
    const { artifact } = await attach({ content: 'ok', kind: 'test-output', name: 'vitest.log' });
    const events = await t.app.deps.store.read(async (tx) => await tx.events.list({ subjectId: artifact.id, limit: 10 }));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'artifact.attached',
      actor: alice,
      agentId: alice,
      runId: run,
      subjectId: artifact.id,
      payload: { kind: 'test-output', name: 'vitest.log', bytes: 2, sha256: sha(Buffer.from('ok')) },
    });
  });

  it('refuses a caller that does not hold the run with LEASE_LOST and stores nothing', async () => {
    const seq = await t.app.deps.store.read(async (tx) => await tx.events.lastSeq());
    const notOwner = await refusal(attach({ content: 'sneaky' }, bob));
    expect(notOwner.code).toBe('LEASE_LOST');
    const staleEpoch = await refusal(attach({ content: 'old epoch', lease_epoch: 0 }));
    expect(staleEpoch.code).toBe('LEASE_LOST');
    expect((await refusal(attach({ run_id: 'run_doesnotexist', content: 'x' }))).code).toBe('NOT_FOUND');
    expect(count('SELECT count(*) FROM artifacts')).toBe(0);
    expect(count('SELECT count(*) FROM blobs')).toBe(0);
    expect(await t.app.deps.store.read(async (tx) => await tx.events.lastSeq())).toBe(seq);
  });

  it('accepts the current lease epoch', async () => {
    const epoch = (await t.app.deps.store.read(async (tx) => await tx.runs.get(run)))!.leaseEpoch;
    const ok = await attach({ content: 'fenced', lease_epoch: epoch });
    expect(ok.artifact.runId).toBe(run);
  });

  it('refuses bad input: both or neither of content and path, bad kind, bad base64, media type, oversize', async () => {
    expect((await refusal(attach({}))).code).toBe('INVALID_INPUT');
    expect((await refusal(attach({ content: 'x', path: 'y' }))).code).toBe('INVALID_INPUT');
    expect((await refusal(attach({ content: 'x', kind: 'Not A Kind' }))).code).toBe('INVALID_INPUT');
    expect((await refusal(attach({ content: 'not base64!', encoding: 'base64' }))).code).toBe('INVALID_INPUT');
    expect((await refusal(attach({ content: 'x', media_type: 'text' }))).code).toBe('INVALID_INPUT');
    const huge = await refusal(attach({ content: Buffer.alloc(LIMITS.artifactBytes + 1).toString('base64'), encoding: 'base64' }));
    expect(huge.code).toBe('TOO_LARGE');
    writeFileSync(join(t.dir, 'huge.bin'), Buffer.alloc(LIMITS.artifactBytes + 1));
    expect((await refusal(attach({ path: 'huge.bin' }))).code).toBe('TOO_LARGE');
    expect(count('SELECT count(*) FROM artifacts')).toBe(0);
  });

  it('reads paths only inside the agent’s workspace, and never from the server’s tokens or blobs', async () => {
    const outside = join(t.dir, '..', `${t.dir.split('/').pop()}-outside.txt`);
    writeFileSync(outside, 'secret');
    try {
      expect((await refusal(attach({ path: outside }))).code).toBe('FORBIDDEN');
      symlinkSync(outside, join(t.dir, 'link.txt'));
      expect((await refusal(attach({ path: 'link.txt' }))).code).toBe('FORBIDDEN');
    } finally {
      rmSync(outside, { force: true });
    }
    // the test app's data directory is its workspace: the token vault lies inside it
    expect(readdirSync(join(t.dir, 'tokens'))).toContain(alice);
    expect((await refusal(attach({ path: `tokens/${alice}` }))).code).toBe('FORBIDDEN');
    expect(count('SELECT count(*) FROM artifacts')).toBe(0);
  });

  it('uses the agent’s registered workspace as the root', async () => {
    const ws = join(t.dir, 'carol-ws');
    mkdirSync(ws);
    writeFileSync(join(ws, 'notes.md'), '# notes');
    writeFileSync(join(t.dir, 'server-root.txt'), 'server root file');
    const carol = (await registerAgent(t.app.deps, { name: 'carol', role: 'implementer', workspace: ws })).agent.id;
    run = await leasedRun(carol);
    const ok = await attach({ path: 'notes.md' }, carol);
    expect(ok.artifact).toMatchObject({ name: 'notes.md', mediaType: 'text/markdown' });
    expect((await refusal(attach({ path: '../server-root.txt' }, carol))).code).toBe('FORBIDDEN');
  });

  it('verifies stored bytes, and detects damaged or missing blob files', async () => {
    const big = randomBytes(LIMITS.inlineBlobBytes + 10);
    const { artifact } = await attach({ content: big.toString('base64'), encoding: 'base64' });
    const good = await verifyArtifact(t.app.deps, artifact.id);
    expect(good).toMatchObject({ ok: true, expectedSha256: sha(big), actualSha256: sha(big), expectedBytes: big.length, actualBytes: big.length, stored: 'file', problem: null });

    const path = blobPath(t.app.deps.settings.dataDir, sha(big));
    const damaged = Buffer.from(big);
    damaged[100] = damaged[100]! ^ 0xff;
    writeFileSync(path, damaged);
    const bad = await verifyArtifact(t.app.deps, artifact.id);
    expect(bad).toMatchObject({ ok: false, actualSha256: sha(damaged), problem: 'hash_mismatch' });
    // readers never get damaged bytes silently
    expect((await refusal(readArtifact(t.app.deps, artifact.id))).code).toBe('INTERNAL');

    rmSync(path);
    expect(await verifyArtifact(t.app.deps, artifact.id)).toMatchObject({ ok: false, actualSha256: null, actualBytes: null, problem: 'missing' });

    // attaching the same bytes again heals the missing file
    await attach({ content: big.toString('base64'), encoding: 'base64' });
    expect((await verifyArtifact(t.app.deps, artifact.id)).ok).toBe(true);

    const small = await attach({ content: 'inline evidence' });
    expect(await verifyArtifact(t.app.deps, small.artifact.id)).toMatchObject({ ok: true, stored: 'inline' });
    expect((await refusal(verifyArtifact(t.app.deps, 'art_nothere'))).code).toBe('NOT_FOUND');
  });

  it('exports the Tx helpers the runs service uses', async () => {
    await attach({ content: 'a', kind: 'test-output' });
    await attach({ content: 'b', kind: 'patch', name: 'fix.patch' });
    await attach({ content: 'c', kind: 'test-output' });
    const other = await leasedRun(alice);
    const { artifact } = await attachEvidence(t.app.deps, alice, { run_id: other, kind: 'summary', content: 'other run' });
    await t.app.deps.store.read(async (tx) => {
      expect(await evidenceKindsOfRun(tx, run)).toEqual(['patch', 'test-output']);
      expect(await evidenceKindsOfRun(tx, other)).toEqual(['summary']);
      const list = await listRunArtifacts(tx, run);
      expect(list.map((a) => a.kind)).toEqual(['test-output', 'patch', 'test-output']);
      expect(list[1]).toMatchObject({ name: 'fix.patch', media_type: 'text/x-diff', bytes: 1, sha256: sha(Buffer.from('b')), agent_id: alice });
      expect(list[1]!.uri).toBe(`fleet://artifacts/${list[1]!.id}`);
      expect(list[1]!.created_at).toBe(new Date(t.clock.now()).toISOString());
      expect(await artifactExists(tx, artifact.id)).toBe(true);
      expect(await artifactExists(tx, 'art_missing')).toBe(false);
      expect(await artifactRunId(tx, artifact.id)).toBe(other);
      expect(await artifactRunId(tx, 'art_missing')).toBeNull();
    });
  });

  it('keeps evidence immutable and consistent in the schema itself', () => {
    const h = 'ab'.repeat(32);
    expect(() => db().prepare("INSERT INTO blobs (sha256, bytes, size, stored, created_at) VALUES (?, NULL, 3, 'inline', 0)").run(h)).toThrow(/CHECK/);
    expect(() => db().prepare("INSERT INTO blobs (sha256, bytes, size, stored, created_at) VALUES (?, x'0102', 3, 'inline', 0)").run(h)).toThrow(/CHECK/);
    expect(() => db().prepare("INSERT INTO blobs (sha256, bytes, size, stored, created_at) VALUES ('XYZ', NULL, 3, 'file', 0)").run()).toThrow(/CHECK/);
    db().prepare("INSERT INTO blobs (sha256, bytes, size, stored, created_at) VALUES (?, x'010203', 3, 'inline', 0)").run(h);
    expect(() => db().prepare('UPDATE blobs SET size = 4').run()).toThrow(/immutable/);
  });
});
