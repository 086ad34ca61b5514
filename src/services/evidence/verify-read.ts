import { sha256Hex } from './blob-files.js';
import { loadArtifact, storedBytes } from './read.js';
import type { Verification } from './verify.js';
import type { Deps } from '../deps.js';

/**
 * `verifyArtifact` and, when the bytes verify, the bytes themselves: one read for a page that shows
 * a textual artifact beside its verification (the console's run page), instead of two.
 */
export async function verifyAndRead(deps: Deps, artifactId: string, maxBytes: number): Promise<{ verification: Verification; bytes: Buffer | null }> {
  const { artifact, blob } = await loadArtifact(deps, artifactId);
  const bytes = await storedBytes(deps, blob, artifact.sha256);
  const actualSha256 = bytes ? sha256Hex(bytes) : null;
  const ok = actualSha256 === artifact.sha256;
  const verification: Verification = {
    artifact,
    ok,
    expectedSha256: artifact.sha256,
    actualSha256,
    expectedBytes: artifact.size,
    actualBytes: bytes ? bytes.length : null,
    stored: blob?.stored ?? null,
    problem: ok ? null : bytes ? 'hash_mismatch' : 'missing',
  };
  return { verification, bytes: ok && bytes && bytes.length <= maxBytes ? bytes : null };
}
