import { artifactUri, type Artifact, type StoredBlob } from '../../domain/artifact.js';
import { FleetError, notFound } from '../../domain/errors.js';
import type { Deps } from '../deps.js';
import { readTx } from '../tx.js';
import { readBlobFile, sha256Hex } from './blob-files.js';

export interface ArtifactBytes {
  artifact: Artifact;
  bytes: Buffer;
}

/** The artifact and its blob's metadata (inline bytes included), in one read. */
export async function loadArtifact(deps: Deps, artifactId: string): Promise<{ artifact: Artifact; blob: StoredBlob | null }> {
  return readTx(deps, async (tx) => {
    const artifact = await tx.artifacts.get(artifactId);
    if (!artifact) throw notFound('artifact', artifactId, 'list a run’s evidence with get_run, or browse fleet://artifacts');
    return { artifact, blob: await tx.artifacts.getBlob(artifact.sha256) };
  });
}

/** The stored bytes, wherever they live, or null when they are missing. */
export async function storedBytes(deps: Deps, blob: StoredBlob | null, sha256: string): Promise<Buffer | null> {
  if (!blob) return null;
  if (blob.stored === 'inline') return blob.bytes;
  return readBlobFile(deps.settings.dataDir, sha256);
}

/**
 * The exact bytes of an artifact. They are hashed on every read, so a reader never receives
 * damaged evidence silently: a mismatch is an error that points at verify_artifact.
 */
export async function readArtifact(deps: Deps, artifactId: string): Promise<ArtifactBytes> {
  const { artifact, blob } = await loadArtifact(deps, artifactId);
  const bytes = await storedBytes(deps, blob, artifact.sha256);
  if (!bytes || bytes.length !== artifact.size || sha256Hex(bytes) !== artifact.sha256) {
    throw new FleetError(
      'INTERNAL',
      `the stored bytes of ${artifactId} are ${bytes ? 'damaged' : 'missing'}`,
      `call verify_artifact for details; the operator should restore the data directory's blobs (${artifactUri(artifactId)})`,
    );
  }
  return { artifact, bytes };
}

/** Most recent artifacts first (resource listing). */
export async function recentArtifacts(deps: Deps, limit: number): Promise<Artifact[]> {
  return readTx(deps, async (tx) => await tx.artifacts.recent(limit));
}

export async function completeArtifactIds(deps: Deps, prefix: string, limit: number): Promise<string[]> {
  if (!/^[0-9a-z_]*$/.test(prefix)) return [];
  return readTx(deps, async (tx) => await tx.artifacts.idsWithPrefix(prefix, limit));
}
