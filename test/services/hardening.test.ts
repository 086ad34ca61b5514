/**
 * Issue 13, item 8: the workspace root is bounded, /proc /sys /dev are never attachable, and
 * revoking an agent's token revokes every credential of that agent.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetError } from '../../src/domain/errors.js';
import { hashToken } from '../../src/identity/tokens.js';
import { authenticateBearer, createAccessToken, listAccessTokens, revokeAccessToken } from '../../src/services/access-tokens.js';
import { registerAgent, resumeAgent } from '../../src/services/agents.js';
import { connectClient, errorCode, openTestApp, type TestApp } from '../helpers/app.js';
import { rawSql } from '../helpers/raw-sql.js';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof FleetError ? error.code : String(error);
  }
}

describe('workspace roots', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp();
  });
  afterEach(() => t.close());

  it.each(['/', '/etc', '/usr', '/bin', '/var', '/boot', '/proc', '/proc/self', '/sys/kernel', '/dev', '/home'])('refuses %s at register_agent', async (workspace) => {
    const c = await connectClient(t.app);
    const result = await c.call('register_agent', { name: 'root', role: 'implementer', workspace });
    expect(errorCode(result)).toBe('INVALID_INPUT');
    expect((result.structuredContent.error as { hint: string }).hint).toContain('directory');
    await c.close();
  });

  it('refuses a root that holds the data directory, and a symlink to a system directory', async () => {
    // openTestApp keeps the database in t.dir, so t.dir and its parents hold the data directory
    expect(await codeOf(registerAgent(t.app.deps, { name: 'a', role: 'r', workspace: t.dir }))).toBe('INVALID_INPUT');
    expect(await codeOf(registerAgent(t.app.deps, { name: 'a', role: 'r', workspace: join(t.dir, '..') }))).toBe('INVALID_INPUT');
    const link = join(t.dir, 'sub', 'looks-fine');
    mkdirSync(join(t.dir, 'sub'));
    symlinkSync('/etc', link);
    expect(await codeOf(registerAgent(t.app.deps, { name: 'a', role: 'r', workspace: link }))).toBe('INVALID_INPUT');
  });

  it('accepts a project directory, and a workspace that is only a name', async () => {
    const project = join(t.dir, 'project');
    mkdirSync(project);
    expect((await registerAgent(t.app.deps, { name: 'a', role: 'r', workspace: project })).agent.workspace).toBe(project);
    expect((await registerAgent(t.app.deps, { name: 'b', role: 'r', workspace: 'billing-service' })).agent.workspace).toBe('billing-service');
  });

  it('never attaches /proc, /sys or /dev, even for an agent registered with "/" before the rule', async () => {
    const c = await connectClient(t.app);
    const { agent_id } = await c.ok<{ agent_id: string }>('register_agent', { name: 'old', role: 'implementer' });
    // a registration from before the rule: its workspace is the whole file system
    await rawSql(t, 'UPDATE agents SET workspace = ? WHERE id = ?', '/', agent_id);
    const { run_id } = await c.ok<{ run_id: string }>('start_run', { title: 'evidence' });
    for (const path of ['/proc/self/environ', '/etc/hostname', 'proc/self/status']) {
      const result = await c.call('attach_evidence', { run_id, kind: 'log', path });
      expect(errorCode(result), path).toBe('FORBIDDEN');
    }
    await c.close();
  });

  it('refuses /proc files through a symlink inside an ordinary workspace', async () => {
    const project = join(t.dir, 'project');
    mkdirSync(project);
    symlinkSync('/proc/self/environ', join(project, 'env.txt'));
    writeFileSync(join(project, 'ok.txt'), 'fine');
    const c = await connectClient(t.app);
    await c.ok('register_agent', { name: 'p', role: 'implementer', workspace: project });
    const { run_id } = await c.ok<{ run_id: string }>('start_run', { title: 'evidence' });
    expect(errorCode(await c.call('attach_evidence', { run_id, kind: 'log', path: 'env.txt' }))).toBe('FORBIDDEN');
    expect((await c.call('attach_evidence', { run_id, kind: 'log', path: 'ok.txt' })).isError).toBeFalsy();
    await c.close();
  });
});

describe('revoking credentials', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp();
  });
  afterEach(() => t.close());

  it('revoking one token of an agent revokes its other tokens and its registration token', async () => {
    const registration = await registerAgent(t.app.deps, { name: 'alice', role: 'implementer' });
    const agentId = registration.agent.id;
    const registrationToken = registration.token!;
    const first = await createAccessToken(t.app.deps, 'operator:test', { kind: 'agent', agent: agentId });
    const second = await createAccessToken(t.app.deps, 'operator:test', { kind: 'agent', agent: agentId });
    const other = await registerAgent(t.app.deps, { name: 'bob', role: 'implementer' });
    const operator = await createAccessToken(t.app.deps, 'operator:test', { kind: 'operator' });
    expect(await authenticateBearer(t.app.deps, registrationToken)).toMatchObject({ kind: 'agent', agentId });

    const { changed, alsoRevoked } = await revokeAccessToken(t.app.deps, 'operator:test', first.token.id);
    expect(changed).toBe(true);
    expect(alsoRevoked.map((x) => x.label).sort()).toEqual([second.token.label, 'registration token'].sort());

    expect(await authenticateBearer(t.app.deps, first.secret)).toBeNull();
    expect(await authenticateBearer(t.app.deps, second.secret)).toBeNull();
    expect(await authenticateBearer(t.app.deps, registrationToken)).toBeNull();
    expect(await codeOf(resumeAgent(t.app.deps, agentId, registrationToken))).toBe('FORBIDDEN');
    // nobody else is touched
    expect(await authenticateBearer(t.app.deps, other.token!)).toMatchObject({ agentId: other.agent.id });
    expect(await authenticateBearer(t.app.deps, operator.secret)).toMatchObject({ kind: 'operator' });
    // the listing shows the registration token as revoked, without its secret
    const listed = await listAccessTokens(t.app.deps, true);
    expect(listed.find((x) => x.label === 'registration token')).toMatchObject({ agentId, revokedAt: expect.any(Number) });
    expect(JSON.stringify(listed)).not.toContain(hashToken(registrationToken));

    // revoking again changes nothing
    const again = await revokeAccessToken(t.app.deps, 'operator:test', second.token.id);
    expect(again).toMatchObject({ changed: false, alsoRevoked: [] });
  });
});

describe('a superseded holder (SPEC §3 "Leases and fencing")', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp();
  });
  afterEach(() => t.close());

  it('gets LEASE_LOST from every write once its run moved on and finished under another owner; the new owner gets INVALID_STATE', async () => {
    const [coord, a, b] = await Promise.all([connectClient(t.app), connectClient(t.app), connectClient(t.app)]);
    await coord.ok('register_agent', { name: 'coord', role: 'coordinator' });
    await a.ok('register_agent', { name: 'a', role: 'implementer' });
    await b.ok('register_agent', { name: 'b', role: 'implementer' });
    const { run_id } = await coord.ok<{ run_id: string }>('submit_task', { title: 't', instructions: 'do it', to_role: 'implementer' });
    expect((await a.ok<{ run: { run_id: string } }>('take_task')).run.run_id).toBe(run_id);
    t.clock.advance(301_000); // a falls silent past its lease: the run goes back to the queue
    expect((await b.ok<{ run: { run_id: string } }>('take_task')).run.run_id).toBe(run_id);
    await b.ok('submit_result', { run_id, outcome: 'completed', summary: 'done by b' });

    for (const [tool, args] of [
      ['attach_evidence', { run_id, kind: 'log', content: 'late' }],
      ['submit_result', { run_id, outcome: 'completed', summary: 'done by a' }],
      ['raise_blocker', { run_id, kind: 'decision', question: 'still mine?' }],
      ['handoff', { run_id, to_role: 'implementer', summary: 's', next_action: 'n' }],
    ] as const) {
      expect(errorCode(await a.call(tool, args)), tool).toBe('LEASE_LOST');
    }
    expect(errorCode(await b.call('attach_evidence', { run_id, kind: 'log', content: 'after the end' }))).toBe('INVALID_STATE');
    await Promise.all([coord.close(), a.close(), b.close()]);
  });
});
