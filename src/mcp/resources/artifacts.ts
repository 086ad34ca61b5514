import { isUtf8 } from 'node:buffer';
import { artifactUri, isTextualMediaType } from '../../domain/artifact.js';
import { completeArtifactIds, readArtifact, recentArtifacts } from '../../services/evidence/read.js';
import { variable, type ResourceBody, type TemplateResource } from './resource.js';

const LISTED = 100;

/**
 * `fleet://artifacts/{artifact_id}`: the exact bytes of a piece of evidence with its media type —
 * as `text` when the media type is textual and the bytes decode as UTF-8, otherwise as a base64
 * `blob`, so binary evidence (screenshots, archives) round-trips byte for byte.
 */
export const artifactResource: TemplateResource = {
  template: 'fleet://artifacts/{artifact_id}',
  name: 'artifact',
  title: 'One piece of evidence',
  description: 'The exact bytes of an artifact (evidence attached to a run), with its media type; text for UTF-8 text, otherwise a base64 blob.',
  mimeType: 'application/octet-stream',
  list: async (ctx) =>
    (await recentArtifacts(ctx.deps, LISTED)).map((a) => ({
      uri: artifactUri(a.id),
      name: `${a.kind}: ${a.name}`,
      description: `${a.runId}, ${a.mediaType}, ${a.size} bytes, sha256 ${a.sha256.slice(0, 12)}…`,
    })),
  complete: {
    artifact_id: (ctx, prefix) => completeArtifactIds(ctx.deps, prefix, 100),
  },
  read: async (ctx, _uri, vars) => {
    const { artifact, bytes } = await readArtifact(ctx.deps, variable(vars, 'artifact_id'));
    return artifactBody(artifact.mediaType, bytes);
  },
};

export function artifactBody(mediaType: string, bytes: Buffer): ResourceBody {
  if (isTextualMediaType(mediaType) && isUtf8(bytes)) return { text: bytes.toString('utf8'), mimeType: mediaType };
  return { blob: bytes, mimeType: mediaType };
}
