/**
 * The workspace-root rule (domain/workspace.ts) applied to a real file system: checked as given
 * and once symlinks are resolved, at registration and again before any read by path.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { FleetError } from '../domain/errors.js';
import { workspaceRootProblem } from '../domain/workspace.js';

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/**
 * Why `workspace` cannot be a workspace root, or null. A workspace that is not an absolute path is
 * a name (claims only; nothing can be attached by path from it). `dataDir`, when given, must not
 * be inside the root: an agent may not choose a root that holds the fleet's database and tokens.
 */
export function workspaceRootRefusal(workspace: string, dataDir: string | null): string | null {
  if (!isAbsolute(workspace)) return null;
  const dataDirs = dataDir === null ? [] : [resolve(dataDir), realOrNull(dataDir)].filter((d): d is string => d !== null);
  for (const candidate of [resolve(workspace), realOrNull(workspace)]) {
    if (candidate === null) continue;
    const problem = workspaceRootProblem(candidate, dataDirs);
    if (problem) return problem;
  }
  return null;
}

/** Refuses a workspace root with INVALID_INPUT (see workspaceRootRefusal). */
export function checkWorkspaceRoot(workspace: string, dataDir: string | null, origin: 'requested' | 'server default'): void {
  const problem = workspaceRootRefusal(workspace, dataDir);
  if (!problem) return;
  throw new FleetError(
    'INVALID_INPUT',
    `workspace ${workspace} (${origin}) is not allowed: ${problem}`,
    origin === 'requested'
      ? "pass your project's directory (e.g. its git top-level) as workspace"
      : "pass your project's directory as workspace, or start the server with --workspace set to it",
  );
}
