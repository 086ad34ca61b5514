/**
 * Where an agent's workspace root may be. The root bounds what the agent can attach by path, so it
 * must not be the whole file system, a system directory, or a directory that holds the fleet's
 * own data (its database, tokens and blobs). Pure: callers resolve symlinks and pass real paths.
 */
import { posix } from 'node:path';

/** Nothing at or below these is ever a workspace, or attachable: kernel views, devices, system config. */
export const NEVER_UNDER = ['/proc', '/sys', '/dev', '/etc', '/boot'] as const;

/** Pseudo-file systems: never attachable, whatever the workspace (their files are the server's own state). */
export const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'] as const;

/** Directories that hold many unrelated things: not a workspace themselves (a project below them is). */
const NOT_ITSELF = new Set([
  '/',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/usr',
  '/usr/bin',
  '/usr/sbin',
  '/usr/lib',
  '/usr/local',
  '/usr/share',
  '/var',
  '/var/lib',
  '/var/log',
  '/opt',
  '/home',
  '/root',
  '/run',
  '/srv',
  '/mnt',
  '/media',
  '/tmp',
]);

export function isAtOrBelow(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/**
 * Why `path` (absolute) cannot be a workspace root, or null. `dataDirs` are the fleet's data
 * directory as given and as resolved; a root holding one of them is refused.
 */
export function workspaceRootProblem(path: string, dataDirs: readonly string[]): string | null {
  const p = posix.normalize(path).replace(/(.)\/+$/, '$1');
  if (p === '/') return 'the whole file system cannot be a workspace';
  if (NOT_ITSELF.has(p)) return `${p} is a system directory`;
  for (const dir of NEVER_UNDER) if (isAtOrBelow(dir, p)) return `${p} is in ${dir}, which is never a workspace`;
  for (const dataDir of dataDirs) if (isAtOrBelow(p, dataDir)) return `${p} holds the fleet's data directory ${dataDir}`;
  return null;
}

/** Whether a resolved file path is in a pseudo-file system (/proc, /sys, /dev). */
export function isPseudoFile(realPath: string): boolean {
  return PSEUDO_ROOTS.some((dir) => isAtOrBelow(dir, realPath));
}

/**
 * The repository a git remote URL names, written one way: scheme, user, port, a trailing `.git`
 * and `/`, and the host's case removed. `git@github.com:acme/api.git`, `https://github.com/acme/api`
 * and `ssh://git@github.com/acme/api.git` are all `github.com/acme/api`. The port goes too: one
 * server often answers ssh and https on different ports. A local path (or `file://`) stays a path,
 * resolved by the caller first. Null when `url` is not a remote URL.
 */
export function normalizeRemoteUrl(url: string): string | null {
  const raw = url.trim();
  if (raw === '') return null;
  let host: string;
  let path: string;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(raw);
  if (scheme) {
    if (scheme[1]!.toLowerCase() === 'file') return stripRepoSuffix(scheme[2]!.replace(/^[^/]*/, '')) || null;
    const rest = scheme[2]!;
    const slash = rest.indexOf('/');
    const authority = slash === -1 ? rest : rest.slice(0, slash);
    path = slash === -1 ? '' : rest.slice(slash + 1);
    host = authority.replace(/^.*@/, '').replace(/:\d*$/, '');
    if (host.startsWith('[')) host = host.replace(/\]:\d*$/, ']');
  } else {
    // scp-like: [user@]host:path (a colon before any slash; a drive letter is not a host)
    const scp = /^(?:[^@/]+@)?([^:/]{2,}):(.*)$/.exec(raw);
    if (!scp) return null;
    host = scp[1]!;
    path = scp[2]!;
  }
  path = stripRepoSuffix(path.replace(/^\/+/, '').replace(/^~[^/]*\//, ''));
  if (host === '' || path === '') return null;
  return `${host.toLowerCase()}/${path}`;
}

function stripRepoSuffix(path: string): string {
  return path.replace(/\/+$/, '').replace(/\.git$/i, '').replace(/\/+$/, '');
}

/** Where a claim was made: the worktree (its top-level directory), the branch checked out, the host. */
export interface WorkLocation {
  worktree: string | null;
  branch: string | null;
  host: string | null;
}

export const NO_LOCATION: WorkLocation = { worktree: null, branch: null, host: null };

/**
 * "in ../api-feat-a, branch feat-a, host build-2": where a holder works, as seen from `viewer`
 * (a worktree on the viewer's host is shown relative to the viewer's worktree). Empty when unknown.
 */
export function describeLocation(at: WorkLocation, viewer?: Partial<WorkLocation>): string {
  const parts: string[] = [];
  if (at.worktree) {
    const sameHost = !at.host || !viewer?.host || at.host === viewer.host;
    let shown = at.worktree;
    if (sameHost && viewer?.worktree) {
      const rel = posix.relative(viewer.worktree, at.worktree);
      shown = rel === '' ? 'this worktree' : rel.length < at.worktree.length ? rel : at.worktree;
    }
    parts.push(`in ${shown}`);
  }
  if (at.branch) parts.push(`branch ${at.branch}`);
  if (at.host) parts.push(`host ${at.host}`);
  return parts.join(', ');
}
