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
