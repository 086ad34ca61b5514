import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The git top-level of `dir` (the nearest directory holding `.git`, a folder or a worktree's
 * file), resolved through symlinks as git prints it; else `dir` itself. This is what
 * `git rev-parse --show-toplevel` answers, without spawning git on every hook.
 */
export function gitTopLevel(dir: string): string {
  let current = realDir(dir);
  for (;;) {
    if (existsSync(join(current, '.git'))) return current;
    const parent = dirname(current);
    if (parent === current) return realDir(dir);
    current = parent;
  }
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

/** The git top-level of a hook's session: the payload's cwd, else Claude Code's project dir, else ours. */
export function sessionWorkspace(payload: { cwd: string | null }, env: NodeJS.ProcessEnv = process.env): string {
  return gitTopLevel(payload.cwd ?? env.CLAUDE_PROJECT_DIR ?? process.cwd());
}
