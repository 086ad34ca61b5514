import { artifactUri, type Artifact } from '../../../domain/artifact.js';
import type { Tx } from '../../../store/port/index.js';

/**
 * What other concepts use of evidence, inside their own transactions: the runs service checks a
 * result's expected evidence kinds and cited artifacts, and shows a run's evidence list.
 * Tx-only on purpose (no services/tx.ts import), so expiry hooks and runs code can use it without
 * an import cycle; the use cases live in attach.ts, read.ts and verify.ts.
 */

export interface ArtifactSummary {
  id: string;
  kind: string;
  name: string;
  media_type: string;
  bytes: number;
  sha256: string;
  agent_id: string;
  /** ISO 8601 */
  created_at: string;
  /** fleet://artifacts/{id}: the exact bytes */
  uri: string;
}

export function artifactSummary(a: Artifact): ArtifactSummary {
  return {
    id: a.id,
    kind: a.kind,
    name: a.name,
    media_type: a.mediaType,
    bytes: a.size,
    sha256: a.sha256,
    agent_id: a.agentId,
    created_at: new Date(a.createdAt).toISOString(),
    uri: artifactUri(a.id),
  };
}

/** Distinct evidence kinds attached to the run, sorted (for `expected_evidence` → MISSING_EVIDENCE). */
export async function evidenceKindsOfRun(tx: Tx, runId: string): Promise<string[]> {
  return await tx.artifacts.kindsOfRun(runId);
}

/** The run's artifacts, oldest first. */
export async function listRunArtifacts(tx: Tx, runId: string): Promise<ArtifactSummary[]> {
  return (await tx.artifacts.listByRun(runId)).map(artifactSummary);
}

export async function artifactExists(tx: Tx, artifactId: string): Promise<boolean> {
  return await tx.artifacts.runIdOf(artifactId) !== null;
}

/** The run an artifact belongs to, or null when it does not exist. */
export async function artifactRunId(tx: Tx, artifactId: string): Promise<string | null> {
  return await tx.artifacts.runIdOf(artifactId);
}
