import { z } from 'zod';
import { ARTIFACT_KIND_MAX, ARTIFACT_KIND_PATTERN, artifactUri, KNOWN_ARTIFACT_KINDS, MEDIA_TYPE_MAX } from '../../domain/artifact.js';
import { LIMITS } from '../../domain/limits.js';
import { attachEvidence } from '../../services/evidence/attach.js';
import { verifyArtifact } from '../../services/evidence/verify.js';
import { artifactId, runId } from '../schemas.js';
import { defineTool } from '../tool.js';

/** An evidence kind: a known one or a custom one of lower-case words (also for expected_evidence). */
export const evidenceKind = z
  .string()
  .max(ARTIFACT_KIND_MAX)
  .regex(ARTIFACT_KIND_PATTERN, 'lower-case words joined by - _ or . (e.g. test-output)')
  .describe(`${KNOWN_ARTIFACT_KINDS.join(', ')}, or a custom kind such as lint-output`);

/** One entry of a run's evidence list (what services/evidence listRunArtifacts returns). */
export const artifactSummarySchema = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  media_type: z.string(),
  bytes: z.number(),
  sha256: z.string(),
  agent_id: z.string(),
  created_at: z.string(),
  uri: z.string(),
});

// Inline content must fit in one message the transports accept (LIMITS.messageBytes): utf8 text is
// at least one byte per UTF-16 unit, so this many characters always do (short of JSON escapes).
// The decoded size is checked exactly in the service.
const CONTENT_MAX_CHARS = LIMITS.inlineContentChars;

export const attachEvidenceTool = defineTool({
  name: 'attach_evidence',
  title: 'Attach evidence to your run',
  description:
    'Stores a piece of evidence (summary, patch, test-output, log, report, screenshot, …) on a run you own, so reviewers and the coordinator can check your result. ' +
    'Give `content` (text; or bytes as base64 with encoding: base64) or `path` (a file inside your workspace; relative paths resolve against it). ' +
    `Up to ${LIMITS.artifactBytes / (1024 * 1024)} MiB by path; inline content must fit one ${LIMITS.messageBytes / (1024 * 1024)} MiB message (~7.5 MiB as base64). Returns artifact_id (cite it in submit_result's evidence), sha256, bytes and the resource uri that returns the exact bytes.`,
  toolset: 'agent',
  binding: 'agent',
  input: z
    .object({
      run_id: runId,
      kind: evidenceKind,
      content: z.string().max(CONTENT_MAX_CHARS).optional().describe('inline evidence: text, or base64 when encoding is base64'),
      encoding: z.enum(['utf8', 'base64']).optional().describe('how content is encoded (default utf8)'),
      path: z.string().max(LIMITS.pattern).optional().describe('a regular file inside your workspace root (instead of content)'),
      name: z.string().trim().min(1).max(LIMITS.name).optional().describe('a label, e.g. vitest.log (default: the path, or the kind)'),
      media_type: z.string().max(MEDIA_TYPE_MAX).optional().describe('e.g. text/plain, image/png (default: guessed from the name, then the bytes)'),
      lease_epoch: z.number().int().min(0).optional().describe('the lease epoch you hold (from take_task/start_run); a stale one is refused with LEASE_LOST'),
    })
    .strict(),
  output: z.object({
    artifact_id: z.string(),
    run_id: z.string(),
    kind: z.string(),
    name: z.string(),
    media_type: z.string(),
    sha256: z.string(),
    bytes: z.number(),
    stored: z.enum(['inline', 'file']),
    deduplicated: z.boolean().describe('true when these exact bytes were already stored (kept once)'),
    uri: z.string(),
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
  async run(ctx, input) {
    const { artifact, stored, deduplicated } = await attachEvidence(ctx.deps, ctx.session.requireAgent(), input, { localFiles: ctx.session.localFiles });
    return {
      artifact_id: artifact.id,
      run_id: artifact.runId,
      kind: artifact.kind,
      name: artifact.name,
      media_type: artifact.mediaType,
      sha256: artifact.sha256,
      bytes: artifact.size,
      stored,
      deduplicated,
      uri: artifactUri(artifact.id),
      next: `cite ${artifact.id} in submit_result's evidence; anyone can read the bytes at ${artifactUri(artifact.id)}`,
    };
  },
  summarize: (o) => `attached ${o.kind} ${o.artifact_id} (${o.name}, ${o.bytes} bytes, sha256 ${o.sha256.slice(0, 12)}…) to ${o.run_id}`,
});

export const verifyArtifactTool = defineTool({
  name: 'verify_artifact',
  title: 'Verify an artifact’s bytes',
  description:
    'Recomputes the sha256 of an artifact’s stored bytes and compares it with the hash recorded when it was attached. ' +
    'Use it to validate the evidence a result cites. Read-only. Returns ok, expected and actual sha256 and sizes.',
  toolset: 'agent',
  binding: 'any',
  input: z.object({ artifact_id: artifactId }).strict(),
  output: z.object({
    artifact_id: z.string(),
    run_id: z.string(),
    kind: z.string(),
    name: z.string(),
    ok: z.boolean(),
    expected_sha256: z.string(),
    actual_sha256: z.string().nullable().describe('null when the stored bytes are missing'),
    bytes: z.number().describe('the size recorded at attach time'),
    actual_bytes: z.number().nullable(),
    stored: z.enum(['inline', 'file']).nullable(),
    problem: z.enum(['missing', 'hash_mismatch']).nullable(),
    uri: z.string(),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
  async run(ctx, input) {
    const v = await verifyArtifact(ctx.deps, input.artifact_id);
    return {
      artifact_id: v.artifact.id,
      run_id: v.artifact.runId,
      kind: v.artifact.kind,
      name: v.artifact.name,
      ok: v.ok,
      expected_sha256: v.expectedSha256,
      actual_sha256: v.actualSha256,
      bytes: v.expectedBytes,
      actual_bytes: v.actualBytes,
      stored: v.stored,
      problem: v.problem,
      uri: artifactUri(v.artifact.id),
      ...(v.ok ? {} : { next: 'the evidence is damaged or missing: do not accept a result on it; tell the operator' }),
    };
  },
  summarize: (o) => (o.ok ? `${o.artifact_id} verifies: sha256 ${o.expected_sha256.slice(0, 12)}…, ${o.bytes} bytes` : `${o.artifact_id} FAILS verification (${o.problem})`),
});
