import type { Artifact, BlobStorage } from '../../domain/artifact.js';
import type { Deps } from '../deps.js';
import { sha256Hex } from './blob-files.js';
import { loadArtifact, storedBytes } from './read.js';

export interface Verification {
  artifact: Artifact;
  /** true when the stored bytes hash to the sha256 recorded at attach time */
  ok: boolean;
  expectedSha256: string;
  /** null when the bytes are missing */
  actualSha256: string | null;
  expectedBytes: number;
  actualBytes: number | null;
  stored: BlobStorage | null;
  problem: 'missing' | 'hash_mismatch' | null;
}

/**
 * Recomputes the sha256 of an artifact's stored bytes (SQLite or the data directory) and compares
 * it with the hash recorded when it was attached. Read-only: nothing is written or repaired.
 */
export async function verifyArtifact(deps: Deps, artifactId: string): Promise<Verification> {
  const { artifact, blob } = await loadArtifact(deps, artifactId);
  const bytes = await storedBytes(deps, blob, artifact.sha256);
  const actualSha256 = bytes ? sha256Hex(bytes) : null;
  const ok = actualSha256 === artifact.sha256;
  return {
    artifact,
    ok,
    expectedSha256: artifact.sha256,
    actualSha256,
    expectedBytes: artifact.size,
    actualBytes: bytes ? bytes.length : null,
    stored: blob?.stored ?? null,
    problem: ok ? null : bytes ? 'hash_mismatch' : 'missing',
  };
}
