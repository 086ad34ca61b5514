import type { Artifact } from '../../domain/artifact.js';

export interface ArtifactRow {
  id: string;
  run_id: string;
  agent_id: string;
  kind: string;
  name: string;
  media_type: string;
  sha256: string;
  size: number;
  created_at: number;
}

export const toArtifact = (r: ArtifactRow): Artifact => ({
  id: r.id,
  runId: r.run_id,
  agentId: r.agent_id,
  kind: r.kind,
  name: r.name,
  mediaType: r.media_type,
  sha256: r.sha256,
  size: r.size,
  createdAt: r.created_at,
});
