import { stat, unlink } from 'node:fs/promises';
import type { Deps } from '../deps.js';
import { listBlobFiles } from '../evidence/blob-files.js';
import { readTx } from '../tx.js';

/** A blob file younger than this is never removed: its row may be about to commit (attach writes the file first). */
const ORPHAN_GRACE_MS = 60 * 60_000;
/** Files looked at per pass (each one indexed lookup). */
const FILES_PER_PASS = 2_000;

/**
 * Removes evidence files in `<dataDir>/blobs` that no blob row refers to any more (retention
 * removed the runs that cited them, or an attach crashed before its commit). A file is removed only
 * when it is older than the grace period and still unknown: `writeBlobFile` refreshes the mtime of
 * a file it finds already in place, so one about to be referenced again is spared.
 */
export async function sweepOrphanBlobFiles(deps: Deps, now = Date.now()): Promise<number> {
  const files = listBlobFiles(deps.settings.dataDir).slice(0, FILES_PER_PASS);
  let removed = 0;
  for (const file of files) {
    const sha256 = file.relativePath.slice(-64);
    const info = await stat(file.absolutePath).catch(() => null);
    if (!info || now - info.mtimeMs < ORPHAN_GRACE_MS) continue;
    const known = await readTx(deps, async (tx) => await tx.retention.blobKnown(sha256));
    if (known) continue;
    await unlink(file.absolutePath).catch(() => {});
    removed++;
  }
  return removed;
}
