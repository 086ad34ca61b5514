import { constants, realpathSync } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { FleetError } from '../../domain/errors.js';
import { isPseudoFile, workspaceRootProblem } from '../../domain/workspace.js';

/**
 * Reading evidence by path. The rules: the file must be inside the workspace root once every
 * symlink is resolved (realpath of both, then containment), must be a regular file (never a
 * directory, device, FIFO or socket), must not be in the server's private folders nor in /proc,
 * /sys or /dev (a root that is `/` or a system directory reads nothing), and is read
 * with a size bound: never more than `limit + 1` bytes, whatever the file claims or does meanwhile.
 */

export interface WorkspaceFile {
  bytes: Buffer;
  /** the resolved path relative to the workspace root, with `/` separators */
  relative: string;
}

export interface ReadRules {
  /** the largest file accepted, in bytes */
  limit: number;
  /** folders inside which nothing may be read, even when inside the root (tokens, blobs) */
  forbidden: string[];
}

const CHUNK = 64 * 1024;

export async function readWorkspaceFile(root: string, requested: string, rules: ReadRules): Promise<WorkspaceFile> {
  if (requested.length === 0 || requested.includes('\0')) {
    throw new FleetError('INVALID_INPUT', 'path must be a non-empty path without NUL bytes', 'give a path relative to your workspace root');
  }
  const rootReal = await realpath(root).catch(() => {
    throw new FleetError('INVALID_STATE', `the workspace root ${root} does not exist`, 'register with an existing workspace, or attach the content inline');
  });
  const candidate = isAbsolute(requested) ? resolve(requested) : resolve(rootReal, requested);
  const real = await realpath(candidate).catch((error: NodeJS.ErrnoException) => {
    // a dangling symlink or a missing file: say which, without revealing anything outside the root
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
      if (!isInside(rootReal, candidate) && !isInside(resolve(root), candidate)) throw outside(requested, rootReal);
      throw new FleetError('NOT_FOUND', `no file at ${requested} in the workspace ${rootReal}`, 'paths are relative to your workspace root; check the name');
    }
    if (error.code === 'ELOOP') throw outside(requested, rootReal);
    throw new FleetError('FORBIDDEN', `cannot resolve ${requested}: ${error.code ?? error.message}`, 'attach a readable regular file inside your workspace');
  });
  if (!isInside(rootReal, real)) throw outside(requested, rootReal);
  // a root registered before the rule, or a server default: checked again, with symlinks resolved
  const rootProblem = workspaceRootProblem(rootReal, []);
  if (rootProblem) {
    throw new FleetError('FORBIDDEN', `nothing can be attached by path from the workspace root ${rootReal}: ${rootProblem}`, "register again with your project's directory as workspace, or attach the content inline");
  }
  if (isPseudoFile(real)) {
    throw new FleetError('FORBIDDEN', `${requested} is in /proc, /sys or /dev, which are never attachable`, 'attach your own files; for process or system information, attach a report you wrote');
  }
  for (const folder of rules.forbidden) {
    const folderReal = safeRealpath(folder);
    if (folderReal && isInside(folderReal, real)) {
      throw new FleetError('FORBIDDEN', `${requested} is inside the fleet's private data directory`, 'attach your own files, not the server’s tokens or blobs');
    }
  }

  // Refuse non-regular files before opening them: opening a FIFO would block, a device may act.
  const before = await stat(real);
  if (!before.isFile()) throw notRegular(requested, before);
  if (before.size > rules.limit) throw tooLarge(requested, before.size, rules.limit);

  // O_NOFOLLOW: the last component must not have become a symlink since realpath; O_NONBLOCK:
  // a FIFO swapped in meanwhile cannot block the open. Then check that the open file is the one
  // we resolved (same device and inode), so a swapped directory component cannot redirect us.
  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw outside(requested, rootReal);
    throw new FleetError('FORBIDDEN', `cannot open ${requested}: ${code ?? (error as Error).message}`, 'attach a readable regular file inside your workspace');
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw notRegular(requested, opened);
    if (opened.dev !== before.dev || opened.ino !== before.ino) {
      throw new FleetError('FORBIDDEN', `${requested} changed while it was being opened`, 'attach it again once nothing is moving it');
    }
    const bytes = await readBounded(handle, rules.limit, requested);
    return { bytes, relative: relative(rootReal, real).split(sep).join('/') };
  } finally {
    await handle.close();
  }
}

/** Reads to the end, but never more than `limit + 1` bytes: one byte past the limit proves it is too large. */
async function readBounded(handle: FileHandle, limit: number, label: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const want = Math.min(CHUNK, limit + 1 - total);
    if (want <= 0) break;
    const buffer = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(buffer, 0, want, null);
    if (bytesRead === 0) break;
    chunks.push(bytesRead === want ? buffer : buffer.subarray(0, bytesRead));
    total += bytesRead;
  }
  if (total > limit) throw tooLarge(label, total, limit, true);
  return Buffer.concat(chunks, total);
}

export function isInside(rootReal: string, target: string): boolean {
  if (target === rootReal) return true;
  const rel = relative(rootReal, target);
  return rel.length > 0 && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function safeRealpath(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

function outside(requested: string, rootReal: string): FleetError {
  return new FleetError(
    'FORBIDDEN',
    `${requested} resolves outside your workspace root ${rootReal}`,
    'only files inside your workspace can be attached by path (symlinks are followed, then checked); attach other content inline',
  );
}

function notRegular(requested: string, s: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): FleetError {
  const what = s.isDirectory() ? 'a directory' : s.isFIFO() ? 'a FIFO' : s.isSocket() ? 'a socket' : s.isCharacterDevice() || s.isBlockDevice() ? 'a device' : 'not a regular file';
  return new FleetError('INVALID_INPUT', `${requested} is ${what}`, 'attach a regular file (for a folder, attach an archive or a listing as content)');
}

function tooLarge(label: string, size: number, limit: number, grew = false): FleetError {
  return new FleetError(
    'TOO_LARGE',
    `${label} is ${grew ? `more than ${limit}` : size} bytes; evidence is limited to ${limit} bytes`,
    'attach an excerpt (the relevant part of a log, a trimmed report) or split it into several artifacts',
    { limit_bytes: limit },
  );
}
