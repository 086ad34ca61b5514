/**
 * Which workspace a directory belongs to (SPEC §3 "Workspaces are repositories"): the repository,
 * not the directory. Found without configuration and without spawning git (a hook runs on every
 * tool call): the files git itself keeps are read directly.
 *
 *  1. a name given explicitly (the `workspace` argument, --workspace, FLEETDECK_WORKSPACE);
 *  2. `.fleetdeck.json` at the worktree root: `{"workspace": "acme/api"}` names it,
 *     `{"isolation": "worktree"}` makes each worktree its own workspace (edits then meet at merge);
 *  3. the normalised URL of the `origin` remote (domain/workspace.ts normalizeRemoteUrl);
 *  4. the real path of the git common directory (shared by every worktree of a local repository);
 *  5. the directory itself.
 *
 * Claim patterns stay relative to the worktree root (`root`), so `src/a.ts` is one path in every
 * worktree and clone. Only node:fs here: the hook path loads this module.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { normalizeRemoteUrl, type WorkLocation } from '../domain/workspace.js';

/** domain/claim.ts normalizeWorkspace, without loading the glob module on the hook path */
function normalizeWorkspace(raw: string): string {
  const trimmed = raw.trim();
  const stripped = trimmed.replace(/\/+$/, '');
  return stripped === '' ? (trimmed === '' ? '' : '/') : stripped;
}

export const WORKSPACE_FILE = '.fleetdeck.json';

export type WorkspaceSource = 'explicit' | 'workspace-file' | 'worktree-isolation' | 'origin' | 'git-common-dir' | 'directory';

export interface WorkspaceInfo {
  /** the identity claims are keyed by */
  workspace: string;
  source: WorkspaceSource;
  /** the worktree's top-level directory (real path); claim paths are relative to it */
  root: string;
  /** the git directory of this worktree (real path), null outside git */
  gitDir: string | null;
  /** the git common directory (real path; the same for every worktree), null outside git */
  commonDir: string | null;
  /** the branch checked out, null when detached or outside git */
  branch: string | null;
  /** a problem worth a warning (an unreadable .fleetdeck.json), null when none */
  warning: string | null;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

interface GitPlaces {
  root: string;
  gitDir: string;
  commonDir: string;
}

/** The worktree top-level, git dir and common dir around `dir`, as `git rev-parse` would say. */
export function findGit(dir: string): GitPlaces | null {
  const start = real(dir);
  for (let current = start; ; ) {
    const dotGit = join(current, '.git');
    if (existsSync(dotGit)) {
      let gitDir: string | null = null;
      try {
        if (statSync(dotGit).isDirectory()) gitDir = dotGit;
        else {
          const pointer = /^gitdir:\s*(.+)$/m.exec(readText(dotGit) ?? '');
          if (pointer) gitDir = resolve(current, pointer[1]!.trim());
        }
      } catch {
        gitDir = null;
      }
      if (gitDir === null) return null;
      gitDir = real(gitDir);
      const common = readText(join(gitDir, 'commondir'));
      const commonDir = real(common ? resolve(gitDir, common.trim()) : gitDir);
      return { root: current, gitDir, commonDir };
    }
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/** The url of `[remote "origin"]` in a git config file's text, null when there is none. */
export function originUrl(config: string): string | null {
  let inOrigin = false;
  for (const line of config.split(/\r?\n/)) {
    const section = /^\s*\[\s*remote\s+"([^"]*)"\s*\]/.exec(line);
    if (section) {
      inOrigin = section[1] === 'origin';
      continue;
    }
    if (/^\s*\[/.test(line)) {
      inOrigin = false;
      continue;
    }
    if (!inOrigin) continue;
    const kv = /^\s*url\s*=\s*(.*?)\s*$/i.exec(line);
    if (kv) return kv[1]!.replace(/^"(.*)"$/, '$1');
  }
  return null;
}

/** The branch HEAD names in a git dir, null when detached. */
export function currentBranch(gitDir: string): string | null {
  const head = readText(join(gitDir, 'HEAD'));
  const ref = head ? /^ref:\s*refs\/heads\/(.+?)\s*$/m.exec(head) : null;
  return ref ? ref[1]! : null;
}

function remoteIdentity(url: string, root: string): string | null {
  const remote = normalizeRemoteUrl(url);
  if (remote !== null && !url.startsWith('file:')) return remote;
  // a local path (or file://) remote: the same repository as seen from anywhere on this host
  const path = url.startsWith('file:') ? (remote ?? '') : url;
  if (path === '') return null;
  return real(isAbsolute(path) ? path : resolve(root, path)).replace(/\/+$/, '').replace(/\.git$/i, '');
}

interface WorkspaceFile {
  workspace?: string;
  isolation?: 'repository' | 'worktree';
}

function readWorkspaceFile(root: string): { file: WorkspaceFile; warning: string | null } {
  const text = readText(join(root, WORKSPACE_FILE));
  if (text === null) return { file: {}, warning: null };
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    const { workspace, isolation } = parsed as Record<string, unknown>;
    const file: WorkspaceFile = {};
    if (typeof workspace === 'string' && normalizeWorkspace(workspace) !== '') file.workspace = normalizeWorkspace(workspace).slice(0, 1024);
    if (isolation === 'worktree' || isolation === 'repository') file.isolation = isolation;
    const bad = isolation !== undefined && file.isolation === undefined;
    return { file, warning: bad ? `${join(root, WORKSPACE_FILE)}: isolation must be "repository" or "worktree"` : null };
  } catch (error) {
    return { file: {}, warning: `${join(root, WORKSPACE_FILE)} is not valid JSON (${(error as Error).message}); ignored` };
  }
}

/** The workspace of `dir` (see the rules at the top); `explicit` wins when given. */
export function workspaceOf(dir: string, explicit?: string): WorkspaceInfo {
  const git = findGit(dir);
  const root = git?.root ?? real(dir);
  const branch = git ? currentBranch(git.gitDir) : null;
  const base = { root, gitDir: git?.gitDir ?? null, commonDir: git?.commonDir ?? null, branch, warning: null };
  if (explicit !== undefined && normalizeWorkspace(explicit) !== '') {
    return { ...base, workspace: canonicalWorkspace(explicit), source: 'explicit' };
  }
  const { file, warning } = readWorkspaceFile(root);
  if (file.workspace !== undefined) return { ...base, warning, workspace: file.workspace, source: 'workspace-file' };
  if (file.isolation === 'worktree') return { ...base, warning, workspace: root, source: 'worktree-isolation' };
  if (git) {
    const url = originUrl(readText(join(git.commonDir, 'config')) ?? '');
    const remote = url === null ? null : remoteIdentity(url, root);
    if (remote !== null) return { ...base, warning, workspace: remote, source: 'origin' };
    return { ...base, warning, workspace: git.commonDir, source: 'git-common-dir' };
  }
  return { ...base, warning, workspace: root, source: 'directory' };
}

const canonicalCache = new Map<string, string>();

/**
 * A workspace as claims key it. A name (`acme/api`, `github.com/acme/api`) is kept as written; an
 * absolute path of an existing directory (how workspaces were named before they were repositories,
 * and what agents still pass) stands for the repository it is in. Cached per process: a
 * repository's identity does not change under a running server in practice, and this is read
 * inside transactions, where only synchronous work is allowed.
 */
export function canonicalWorkspace(raw: string): string {
  const workspace = normalizeWorkspace(raw);
  if (!isAbsolute(workspace)) return workspace;
  const known = canonicalCache.get(workspace);
  if (known !== undefined) return known;
  let identity = workspace;
  try {
    if (statSync(workspace).isDirectory()) identity = workspaceOf(workspace).workspace;
  } catch {
    identity = workspace; // gone, or never a directory: keep it as a name
  }
  if (canonicalCache.size > 1000) canonicalCache.clear();
  canonicalCache.set(workspace, identity);
  return identity;
}

let thisHost: string | null = null;

export function hostName(): string {
  return (thisHost ??= hostname());
}

/** Where someone working in `dir` works: its worktree, branch and this host. */
export function locationOf(dir: string): WorkLocation {
  const git = findGit(dir);
  return { worktree: git?.root ?? real(dir), branch: git ? currentBranch(git.gitDir) : null, host: hostName() };
}
