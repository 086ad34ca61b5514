import { createHash, randomBytes } from 'node:crypto';
import { constants, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { SHA256_PATTERN } from '../../domain/artifact.js';
import { FleetError } from '../../domain/errors.js';

/**
 * The data-directory half of the blob store: blobs larger than LIMITS.inlineBlobBytes live in
 * `<dataDir>/blobs/ab/abcdef…` (the first two hex digits fan the files out).
 *
 * Ordering is what keeps it crash-safe: the file is written to a temporary name, fsynced, renamed
 * into place and the directory fsynced BEFORE the transaction that inserts the blob row commits.
 * A crash in between leaves at worst an orphan file (harmless, rewritten by the next attach of the
 * same bytes), never a row pointing at bytes that are not on disk.
 */

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function blobPath(dataDir: string, sha256: string): string {
  // the hash is the file name: only 64 lower-case hex digits ever reach the file system
  if (!SHA256_PATTERN.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
  return join(dataDir, 'blobs', sha256.slice(0, 2), sha256);
}

export function blobsRoot(dataDir: string): string {
  return join(dataDir, 'blobs');
}

export interface BlobWrite {
  path: string;
  /** false when a file with these exact bytes was already in place */
  written: boolean;
}

/** Makes `<dataDir>/blobs/ab/<sha256>` hold exactly `bytes`, atomically and durably. */
export async function writeBlobFile(dataDir: string, sha256: string, bytes: Buffer): Promise<BlobWrite> {
  const path = blobPath(dataDir, sha256);
  const existing = await readBlobFile(dataDir, sha256);
  if (existing && existing.length === bytes.length && sha256Hex(existing) === sha256) {
    // fresh mtime: the orphan sweep (services/retention/blob-files.ts) spares a file about to be referenced again
    const at = new Date();
    await utimes(path, at, at).catch(() => {});
    return { path, written: false };
  }

  const dir = join(dataDir, 'blobs', sha256.slice(0, 2));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${sha256}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDirectory(dir);
  return { path, written: true };
}

/** The file's bytes, or null when it is missing. */
export async function readBlobFile(dataDir: string, sha256: string): Promise<Buffer | null> {
  try {
    return await readFile(blobPath(dataDir, sha256));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A rename is durable only once its directory entry is: fsync the directory (where supported). */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    // some platforms (Windows) cannot open or fsync a directory; the rename itself still happened
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') {
      throw new FleetError('INTERNAL', `could not sync the blob directory: ${(error as Error).message}`);
    }
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Every blob file under `<dataDir>/blobs`, relative to the data directory (what a backup carries). */
export function listBlobFiles(dataDir: string): { relativePath: string; absolutePath: string }[] {
  const root = blobsRoot(dataDir);
  if (!existsSync(root)) return [];
  const out: { relativePath: string; absolutePath: string }[] = [];
  for (const fan of readdirSync(root)) {
    const dir = join(root, fan);
    if (!statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir)) {
      if (!SHA256_PATTERN.test(name)) continue; // temporary files of writes in flight are not blobs yet
      out.push({ relativePath: join('blobs', fan, name), absolutePath: join(dir, name) });
    }
  }
  return out;
}
