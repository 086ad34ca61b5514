import { realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { findGit, workspaceOf, type WorkspaceInfo } from '../services/workspace-identity.js';

/**
 * The git top-level of `dir` (the nearest directory holding `.git`, a folder or a worktree's
 * file), resolved through symlinks as git prints it; else `dir` itself. This is what
 * `git rev-parse --show-toplevel` answers, without spawning git on every hook.
 */
export function gitTopLevel(dir: string): string {
  return findGit(dir)?.root ?? realDir(dir);
}

function realDir(dir: string): string {
  try {
    return realpathSync(resolve(dir));
  } catch {
    return resolve(dir);
  }
}

/**
 * A file's path relative to the workspace, with symlinks resolved as far as the file exists (a
 * Write may create it); null when it lies outside the workspace.
 */
export function pathInWorkspace(workspace: string, file: string): string | null {
  const absolute = realPathOfMaybeMissing(resolve(workspace, file));
  const rel = relative(workspace, absolute);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || resolve(workspace, rel) !== absolute) return null;
  return rel.split(sep).join('/');
}

function realPathOfMaybeMissing(path: string): string {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(current.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      current = parent;
    }
  }
}

/**
 * The workspace of a hook's session: the repository of the payload's cwd, else of Claude Code's
 * project dir, else of ours; `explicit` (--workspace, FLEETDECK_WORKSPACE) names it instead.
 */
export function sessionWorkspace(payload: { cwd: string | null }, explicit?: string, env: NodeJS.ProcessEnv = process.env): WorkspaceInfo {
  return workspaceOf(payload.cwd ?? env.CLAUDE_PROJECT_DIR ?? process.cwd(), explicit);
}
