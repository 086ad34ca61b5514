/**
 * Workspace = repository, with real git: one repository with an `origin`, a second worktree of it,
 * a clone whose origin is spelled differently, and an unrelated repository, all on one fleet.
 * Claims conflict across the worktree and the clone (check_scope, claim_scope, the PreToolUse hook,
 * the git guard) and never across repositories; every conflict says where the holder works. On
 * PostgreSQL (FLEETDECK_TEST_STORE=postgres) the clone's processes use another data directory,
 * standing for another host.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeRemoteUrl } from '../../src/domain/workspace.js';
import { registerAgent } from '../../src/services/agents.js';
import { claimScope } from '../../src/services/claims/index.js';
import { workspaceOf } from '../../src/services/workspace-identity.js';
import { connectClient, openTestApp, tempDir, type TestApp, type TestClient } from '../helpers/app.js';
import { fixture, runHook } from '../helpers/hooks.js';
import { CLI } from '../helpers/stdio.js';

const GIT_ENV = { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

type Conflict = { holder: { name: string }; location: { worktree: string | null; branch: string | null; host: string | null } };
type ClaimAnswer = { granted: boolean; workspace: string; conflicts: Conflict[]; next: string };

describe('a workspace is the repository: worktrees and clones share claims, other repositories do not', () => {
  let tmp: ReturnType<typeof tempDir>;
  let root: string;
  let main: string;
  let worktree: string;
  let clone: string;
  let other: string;
  let t: TestApp;
  let holder: string;
  const clients: TestClient[] = [];

  const dataFor = (dir: string) => join(root, dir === clone ? 'data-host-b' : 'data-host-a');
  const cli = (cwd: string, args: string[], env: Record<string, string> = {}) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLEETDECK_') && k !== 'CLAUDE_PROJECT_DIR'));
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: { ...base, ...GIT_ENV, FLEETDECK_LOG_LEVEL: 'warn', FLEETDECK_DATA_DIR: dataFor(cwd), ...env }, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const agentIn = async (dir: string, name: string): Promise<TestClient> => {
    const c = await connectClient(t.app);
    clients.push(c);
    await c.ok('register_agent', { name, role: 'implementer', workspace: dir });
    return c;
  };

  beforeAll(async () => {
    tmp = tempDir('fleetdeck-ws-');
    root = realpathSync(tmp.dir);
    main = join(root, 'api');
    mkdirSync(join(main, 'src'), { recursive: true });
    git(main, 'init', '-q', '-b', 'main');
    writeFileSync(join(main, 'src', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(main, 'src', 'b.ts'), 'export const b = 1;\n');
    git(main, 'add', '.');
    git(main, 'commit', '-q', '-m', 'initial');
    worktree = join(root, 'api-feat-a');
    git(main, 'worktree', 'add', '-q', '-b', 'feat-a', worktree);
    clone = join(root, 'api-clone');
    git(root, 'clone', '-q', main, clone);
    // the same repository, named three ways
    git(main, 'remote', 'add', 'origin', 'git@github.com:acme/api.git');
    git(clone, 'remote', 'set-url', 'origin', 'https://GitHub.com/acme/api');
    other = join(root, 'web');
    mkdirSync(join(other, 'src'), { recursive: true });
    git(other, 'init', '-q', '-b', 'main');
    git(other, 'remote', 'add', 'origin', 'ssh://git@github.com/acme/web.git');
    writeFileSync(join(other, 'src', 'a.ts'), 'x\n');
    git(other, 'add', '.');
    git(other, 'commit', '-q', '-m', 'initial');
    for (const d of ['data-host-a', 'data-host-b']) mkdirSync(join(root, d));

    t = await openTestApp({ agentLeaseSeconds: '86400', workspace: main }, join(root, 'data-host-a'));
    t.clock.set(Date.now());
    holder = (await registerAgent(t.app.deps, { name: 'claude@api/main', role: 'implementer', workspace: main })).agent.id;
    const granted = await claimScope(t.app.deps, holder, { scopes: [{ kind: 'path', pattern: 'src/a.ts' }], ttl_seconds: 86_400, reason: 'refactoring a' });
    expect(granted.granted).toBe(true);
  });

  afterAll(async () => {
    for (const c of clients) await c.close();
    await t.close();
  });

  it('derives one identity for the worktree and the clone, another for the unrelated repository', () => {
    for (const url of ['git@github.com:acme/api.git', 'https://github.com/acme/api', 'ssh://git@github.com/acme/api.git', 'https://user@GitHub.com:443/acme/api.git/']) {
      expect(normalizeRemoteUrl(url)).toBe('github.com/acme/api');
    }
    expect(workspaceOf(main)).toMatchObject({ workspace: 'github.com/acme/api', source: 'origin', root: main, branch: 'main' });
    expect(workspaceOf(join(worktree, 'src'))).toMatchObject({ workspace: 'github.com/acme/api', root: worktree, branch: 'feat-a' });
    expect(workspaceOf(clone)).toMatchObject({ workspace: 'github.com/acme/api', root: clone });
    expect(workspaceOf(other).workspace).toBe('github.com/acme/web');
    // a local repository without origin: its git common directory, shared by its worktrees
    const local = join(root, 'local');
    mkdirSync(local);
    git(local, 'init', '-q', '-b', 'main');
    git(local, 'commit', '-q', '--allow-empty', '-m', 'x');
    git(local, 'worktree', 'add', '-q', '-b', 'w2', join(root, 'local-w2'));
    expect(workspaceOf(join(root, 'local-w2')).workspace).toBe(join(local, '.git'));
    expect(workspaceOf(local)).toMatchObject({ workspace: join(local, '.git'), source: 'git-common-dir' });
    // .fleetdeck.json names it, or opts into isolation per worktree
    writeFileSync(join(root, 'local-w2', '.fleetdeck.json'), JSON.stringify({ isolation: 'worktree' }));
    expect(workspaceOf(join(root, 'local-w2'))).toMatchObject({ workspace: join(root, 'local-w2'), source: 'worktree-isolation' });
    writeFileSync(join(local, '.fleetdeck.json'), JSON.stringify({ workspace: 'acme/local' }));
    expect(workspaceOf(local)).toMatchObject({ workspace: 'acme/local', source: 'workspace-file' });
  });

  it('check_scope and claim_scope conflict from the worktree and from the clone, naming where the holder works', async () => {
    for (const [dir, name] of [[worktree, 'claude@api/feat-a'], [clone, 'claude@api-clone/main']] as const) {
      const c = await agentIn(dir, name);
      for (const tool of ['check_scope', 'claim_scope']) {
        const answer = await c.ok<ClaimAnswer>(tool, { scopes: [{ kind: 'path', pattern: 'src/*.ts' }] });
        expect(answer.granted, `${tool} in ${dir}`).toBe(false);
        expect(answer.workspace).toBe('github.com/acme/api');
        expect(answer.conflicts[0]!.holder.name).toBe('claude@api/main');
        expect(answer.conflicts[0]!.location).toMatchObject({ worktree: main, branch: 'main' });
        expect(answer.conflicts[0]!.location.host).toBeTruthy();
        expect(answer.next).toContain(`claude@api/main in ${main}, branch main, host `);
      }
    }
    // an absolute path as workspace argument stands for its repository too
    const c = await agentIn(other, 'claude@web/main');
    const byPath = await c.ok<ClaimAnswer>('check_scope', { scopes: [{ kind: 'path', pattern: 'src/a.ts' }], workspace: worktree });
    expect(byPath.granted).toBe(false);
  });

  it('never conflicts across repositories', async () => {
    const c = await agentIn(other, 'claude@web/other');
    const answer = await c.ok<ClaimAnswer>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/a.ts' }] });
    expect(answer).toMatchObject({ granted: true, workspace: 'github.com/acme/web' });
    await c.ok('release_scope', { all: true }); // the hook and guard checks below edit src/a.ts of this repository
  });

  it('the PreToolUse hook denies the edit in the worktree and in the clone, and allows it in the other repository', async () => {
    for (const dir of [worktree, clone]) {
      const res = await runHook('pre-tool-use', fixture('pre-tool-use-edit', dir, { tool_input: { file_path: join(dir, 'src/a.ts'), old_string: 'a', new_string: 'b' } }), {
        env: { FLEETDECK_DB: t.config.db, FLEETDECK_DATA_DIR: dataFor(dir) },
      });
      expect(res.code, res.stderr).toBe(0);
      const out = res.json.hookSpecificOutput as { permissionDecision: string; permissionDecisionReason: string };
      expect(out.permissionDecision, dir).toBe('deny');
      expect(out.permissionDecisionReason).toMatch(new RegExp(`claimed exclusively by claude@api/main in (\\.\\./api|${main}), branch main, host \\S+ \\(${holder}`));
    }
    const res = await runHook('pre-tool-use', fixture('pre-tool-use-edit', other, { tool_input: { file_path: join(other, 'src/a.ts'), old_string: 'a', new_string: 'b' } }), {
      env: { FLEETDECK_DB: t.config.db, FLEETDECK_DATA_DIR: dataFor(other) },
    });
    expect(res.json).toEqual({});
  });

  it('the git guard refuses the commit in the worktree and in the clone, not in the other repository', () => {
    for (const dir of [worktree, clone]) {
      writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 2;\n');
      git(dir, 'add', 'src/a.ts');
      const refused = cli(dir, ['guard', '--db', t.config.db]);
      expect(refused.code, `${dir}: ${refused.stderr}`).toBe(1);
      expect(refused.stderr).toMatch(/held by claude@api\/main in \S+, branch main, host \S+ \(/);
    }
    writeFileSync(join(other, 'src', 'a.ts'), 'y\n');
    git(other, 'add', 'src/a.ts');
    expect(cli(other, ['guard', '--db', t.config.db]).code).toBe(0);
  });

  it('a hook given a missing database creates nothing: it warns and allows, or exits 2 with --strict', async () => {
    const typo = join(root, 'typo', 'deep', 'fleet.db');
    const payload = fixture('pre-tool-use-edit', worktree, { tool_input: { file_path: join(worktree, 'src/a.ts'), old_string: 'a', new_string: 'b' } });
    const data = join(root, 'typo-data');
    const warned = await runHook('pre-tool-use', payload, { env: { FLEETDECK_DB: typo, FLEETDECK_DATA_DIR: data } });
    expect(warned.code).toBe(0);
    expect(String(warned.json.systemMessage)).toContain(`no fleet database at ${typo}`);
    const strict = await runHook('pre-tool-use', payload, { env: { FLEETDECK_DB: typo, FLEETDECK_DATA_DIR: data }, args: ['--strict'] });
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(`no fleet database at ${typo}`);
    expect(existsSync(join(root, 'typo'))).toBe(false);
    expect(existsSync(data)).toBe(false);
    // and `serve --session` refuses a named database that does not exist
    const serve = cli(worktree, ['serve', '--session', '--db', join(root, 'missing.db')]);
    expect(serve.code).not.toBe(0);
    expect(serve.stderr).toContain('no fleet database at');
    expect(readdirSync(root)).not.toContain('missing.db');
  });
});
