import { basename, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FleetError } from '../../domain/errors.js';
import { blobsRoot } from '../evidence/blob-files.js';
import { isInside, readWorkspaceFile } from '../evidence/paths.js';

/** Where a task's `file://` context may be read from, and how much of it. */
export interface ContextRules {
  /** absolute folders; a context file must lie inside one of them once symlinks are resolved */
  roots: string[];
  maxBytes: number;
  /** the server's data directory: its tokens and blobs are never read, even inside a root */
  dataDir: string;
}

export interface ContextFile {
  bytes: Buffer;
  name: string;
  path: string;
}

/**
 * Reads a `file://` context reference under the same rules as evidence attached by path (regular
 * file, realpath inside the root, bounded read, the server's private folders refused), against
 * each configured root in turn. A message from a queue names the file, so without roots a sender
 * could make the bridge read any file its OS user can.
 */
export async function readContextFile(ref: string, rules: ContextRules): Promise<ContextFile> {
  let path: string;
  try {
    path = fileURLToPath(ref);
  } catch (error) {
    throw new FleetError('INVALID_INPUT', `context_ref ${ref} is not a valid file URL: ${(error as Error).message}`, 'use file:///absolute/path');
  }
  if (!isAbsolute(path)) throw new FleetError('INVALID_INPUT', `context_ref ${ref} is not an absolute file URL`, 'use file:///absolute/path');
  const root = rules.roots.map((r) => resolve(r)).find((r) => isInside(r, resolve(path)));
  if (root === undefined) {
    throw new FleetError(
      'FORBIDDEN',
      `context_ref ${ref} is outside the context roots (${rules.roots.join(', ') || 'none configured'})`,
      'put the context file under a configured root, or start the bridge with --context-roots including its folder',
    );
  }
  const file = await readWorkspaceFile(root, path, {
    limit: rules.maxBytes,
    forbidden: [join(rules.dataDir, 'tokens'), blobsRoot(rules.dataDir)],
  });
  return { bytes: file.bytes, name: basename(path).slice(-128) || 'context', path };
}
