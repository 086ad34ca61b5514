/**
 * Claims keyed by a directory path (made before workspaces were repositories) move to their
 * repository's identity when `serve` starts (services/claims/adopt-repositories.ts), and then
 * conflict with claims made from another worktree; a path whose repository cannot be derived is
 * kept. Runs on both engines.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { NO_LOCATION } from '../../src/domain/workspace.js';
import { registerAgent } from '../../src/services/agents.js';
import { adoptRepositoryWorkspaces } from '../../src/services/claims/adopt-repositories.js';
import { checkScope } from '../../src/services/claims/index.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

describe('claims of directory workspaces move to their repository', () => {
  let t: TestApp;
  let repo: string;
  let worktree: string;

  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '86400' });
    const root = realpathSync(t.dir);
    repo = join(root, 'api');
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'x');
    git(repo, 'remote', 'add', 'origin', 'git@github.com:acme/api.git');
    worktree = join(root, 'api-b');
    git(repo, 'worktree', 'add', '-q', '-b', 'b', worktree);
  });
  afterEach(() => t.close());

  it('moves active path-keyed claims, with one event, and they conflict across worktrees from then on', async () => {
    const old = (await registerAgent(t.app.deps, { name: 'old', role: 'implementer', workspace: repo })).agent.id;
    const gone = join(t.dir, 'gone-repo');
    const ids = await t.app.deps.store.write(async (tx) => {
      const insert = (workspace: string) =>
        tx.claims.insert({ id: newId('clm'), workspace, kind: 'path', pattern: 'src/a.ts', prefix: 'src/', mode: 'exclusive', agentId: old, runId: null, reason: null, ttlSeconds: 3600, now: t.clock.now(), location: NO_LOCATION });
      return [(await insert(repo)).id, (await insert(gone)).id];
    });
    const other = (await registerAgent(t.app.deps, { name: 'other', role: 'implementer', workspace: worktree })).agent.id;
    const probe = { scopes: [{ kind: 'path' as const, pattern: 'src/a.ts' }] };
    expect((await checkScope(t.app.deps, { kind: 'agent', agentId: other }, probe)).granted).toBe(true); // not yet

    const moved = await adoptRepositoryWorkspaces(t.app.deps);
    expect(moved).toEqual([{ from: repo, to: 'github.com/acme/api', claims: 1 }]);
    const after = await t.app.deps.store.read(async (tx) => [await tx.claims.get(ids[0]!), await tx.claims.get(ids[1]!)]);
    expect(after.map((c) => c!.workspace)).toEqual(['github.com/acme/api', gone]);
    const events = await t.app.deps.store.read(async (tx) => await tx.events.list({ types: ['claim.workspace_moved'], limit: 10 }));
    expect(events).toHaveLength(1);

    const decision = await checkScope(t.app.deps, { kind: 'agent', agentId: other }, probe);
    expect(decision.granted).toBe(false);
    expect(decision.decision.conflicts[0]!.claim.id).toBe(ids[0]);
    expect(await adoptRepositoryWorkspaces(t.app.deps)).toEqual([]); // idempotent
  });
});
