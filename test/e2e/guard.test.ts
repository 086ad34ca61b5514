import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerAgent } from '../../src/services/agents.js';
import { claimScope } from '../../src/services/claims/index.js';
import { openTestApp, tempDir, type TestApp } from '../helpers/app.js';
import { CLI } from '../helpers/stdio.js';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

describe('fleetdeck guard on a real git repository', () => {
  let tmp: ReturnType<typeof tempDir>;
  let repo: string;
  let db: string;
  let t: TestApp;
  let bob: string;
  let claimId: string;

  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, ...GIT_ENV }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const write = (path: string, text = 'x\n') => {
    mkdirSync(join(repo, path, '..'), { recursive: true });
    writeFileSync(join(repo, path), text);
  };
  /** runs the built CLI in the repository; the environment is controlled (no FLEETDECK_* from outside) */
  const run = (args: string[], env: Record<string, string> = {}) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLEETDECK_')));
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repo, env: { ...base, ...GIT_ENV, FLEETDECK_LOG_LEVEL: 'warn', ...env }, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const commit = (env: Record<string, string> = {}) => {
    const r = spawnSync('git', ['commit', '-q', '-m', 'change'], { cwd: repo, env: { ...process.env, ...GIT_ENV, ...env }, encoding: 'utf8' });
    return { code: r.status, stderr: r.stderr };
  };

  beforeEach(async () => {
    tmp = tempDir('fleetdeck-guard-');
    repo = join(tmp.dir, 'repo');
    mkdirSync(repo);
    git('init', '-q', '-b', 'main');
    write('README.md');
    write('src/api/users.ts', 'export {};\n');
    git('add', '.');
    git('commit', '-q', '-m', 'initial');
    repo = realpathSync(repo);
    const workspace = git('rev-parse', '--show-toplevel').trim();
    // The guard runs with the real clock: start the manual clock at the real time, and give the
    // agent a lease and the claim a ttl that cannot lapse during the test.
    t = await openTestApp({ agentLeaseSeconds: '86400', workspace }, tmp.dir);
    t.clock.set(Date.now());
    db = t.config.db;
    bob = (await registerAgent(t.app.deps, { name: 'bob', role: 'implementer', workspace })).agent.id;
    const granted = await claimScope(t.app.deps, bob, { scopes: [{ kind: 'path', pattern: 'src/api/**' }], ttl_seconds: 86_400, reason: 'rewriting the users api' });
    claimId = granted.claims[0]!.claim.id;
  });
  afterEach(() => {
    t.app.close();
    tmp.cleanup();
  });

  it("refuses a commit touching another live agent's exclusive claim, naming the holder and the claim", async () => {
    write('src/api/users.ts', 'export const changed = true;\n');
    write('docs/notes.md');
    git('add', '.');
    const refused = run(['guard', '--db', db]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/commit refused/);
    expect(refused.stderr).toContain('src/api/users.ts');
    expect(refused.stderr).toContain(claimId);
    expect(refused.stderr).toContain('src/api/**');
    expect(refused.stderr).toMatch(new RegExp(`bob in this worktree, branch [\\w.-]+, host [^ ]+ \\(${bob}, active`));
    expect(refused.stderr).toContain('rewriting the users api');
    expect(refused.stderr).not.toContain('docs/notes.md');

    const json = run(['guard', '--db', db, '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { ok: boolean; violations: { path: string; claim_id: string; holder: { name: string } }[] };
    expect(report.ok).toBe(false);
    expect(report.violations).toEqual([expect.objectContaining({ path: 'src/api/users.ts', claim_id: claimId, holder: expect.objectContaining({ name: 'bob' }) })]);
  });

  it('warns and passes in --warn mode, passes with the bypass variable, and lets the holder commit its own claim', async () => {
    write('src/api/users.ts', 'export const changed = true;\n');
    git('add', '.');
    const warned = run(['guard', '--db', db, '--warn']);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/warning/);
    expect(warned.stderr).toContain(claimId);
    const bypassed = run(['guard', '--db', db], { FLEETDECK_GUARD_BYPASS: '1' });
    expect(bypassed.code).toBe(0);
    expect(bypassed.stderr).toMatch(/bypassed/);
    expect(run(['guard', '--db', db, '--agent', bob]).code).toBe(0);
    expect(run(['guard', '--db', db], { FLEETDECK_AGENT_ID: bob }).code).toBe(0);
  });

  it('passes paths outside live exclusive claims (unclaimed, shared, stale holder) and refuses renaming a claimed file away', async () => {
    write('docs/notes.md');
    git('add', '.');
    expect(run(['guard', '--db', db]).code).toBe(0);

    // a shared claim never blocks; a stale holder's exclusive claim does not either
    const carolApp = await openTestApp({ agentLeaseSeconds: '60' }, tmp.dir);
    try {
      carolApp.clock.set(Date.now() - 120_000);
      const carol = (await registerAgent(carolApp.app.deps, { name: 'carol', role: 'implementer', workspace: repo })).agent.id;
      expect((await claimScope(carolApp.app.deps, carol, { scopes: [{ kind: 'path', pattern: 'lib/**' }], ttl_seconds: 86_400 })).granted).toBe(true);
      const dave = (await registerAgent(t.app.deps, { name: 'dave', role: 'implementer', workspace: repo })).agent.id;
      expect((await claimScope(t.app.deps, dave, { scopes: [{ kind: 'path', pattern: 'docs/**', mode: 'shared' }], ttl_seconds: 86_400 })).granted).toBe(true);
    } finally {
      carolApp.app.close();
    }
    write('lib/util.ts');
    write('docs/more.md');
    git('add', '.');
    expect(run(['guard', '--db', db]).code).toBe(0);

    // moving a claimed file away touches it (renames count as both paths)
    git('commit', '-q', '-m', 'lib and docs');
    git('mv', 'src/api/users.ts', 'users.ts');
    const moved = run(['guard', '--db', db]);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toContain('src/api/users.ts');
  });

  it('--install writes a pre-commit hook that refuses the commit, keeps a foreign hook only with --chain', async () => {
    const hook = join(repo, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, '#!/bin/sh\necho "lint hook ran" >&2\n');
    chmodSync(hook, 0o755);
    const refused = run(['guard', '--install', '--db', db]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already exists.*--chain/s);
    expect(run(['guard', '--install', '--chain', '--db', db]).code).toBe(0);
    expect(readFileSync(hook, 'utf8')).toContain('fleetdeck-guard');
    expect(readFileSync(join(repo, '.git', 'hooks', 'pre-commit.before-fleetdeck'), 'utf8')).toContain('lint hook ran');
    // installing again replaces our own hook without touching the chained one
    expect(run(['guard', '--install', '--db', db]).code).toBe(0);

    write('src/api/users.ts', 'export const changed = true;\n');
    git('add', '.');
    const blocked = commit();
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain('lint hook ran');
    expect(blocked.stderr).toContain(claimId);
    expect(git('log', '--oneline').trim().split('\n')).toHaveLength(1);
    const bypassed = commit({ FLEETDECK_GUARD_BYPASS: '1' });
    expect(bypassed.code).toBe(0);
    expect(git('log', '--oneline').trim().split('\n')).toHaveLength(2);
  });

  it('lists active claims with `fleetdeck claims`, as a table or JSON, filtered by workspace or agent', async () => {
    const table = run(['claims', '--db', db]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/CLAIM\s+WORKSPACE\s+KIND\s+PATTERN/);
    expect(table.stdout).toContain(claimId);
    expect(table.stdout).toContain('bob');
    const json = JSON.parse(run(['claims', '--db', db, '--json', '--agent', bob]).stdout) as { claims: { claim_id: string; workspace: string }[]; total: number };
    expect(json.total).toBe(1);
    // the workspace is the repository: here (no origin) its git common directory
    expect(json.claims[0]).toMatchObject({ claim_id: claimId, workspace: join(realpathSync(repo), '.git'), location: { worktree: realpathSync(repo) } });
    const other = JSON.parse(run(['claims', '--db', db, '--json', '--workspace', '/elsewhere']).stdout) as { claims: unknown[] };
    expect(other.claims).toEqual([]);
    const here = JSON.parse(run(['claims', '--db', db, '--json', '--workspace', '.']).stdout) as { claims: unknown[] };
    expect(here.claims).toHaveLength(1);
  });
});
