import { isAbsolute, join, posix, resolve } from 'node:path';
import {
  guessMediaType,
  isArtifactKind,
  isArtifactName,
  MEDIA_TYPE_MAX,
  MEDIA_TYPE_PATTERN,
  storageFor,
  type Artifact,
  type BlobStorage,
} from '../../domain/artifact.js';
import { FleetError } from '../../domain/errors.js';
import { newId } from '../../domain/ids.js';
import { LIMITS } from '../../domain/limits.js';
import type { Deps } from '../deps.js';
import { requireRunWriter } from '../runs/fencing.js';
import { readTx, writeTx } from '../tx.js';
import { blobsRoot, sha256Hex, writeBlobFile } from './blob-files.js';
import { readWorkspaceFile } from './paths.js';

export interface AttachInput {
  run_id: string;
  kind: string;
  /** inline content: text (encoding utf8, the default) or base64 bytes */
  content?: string;
  encoding?: 'utf8' | 'base64';
  /** a file inside the agent's workspace root (relative paths resolve against it) */
  path?: string;
  name?: string;
  media_type?: string;
  /** the lease epoch the caller believes it holds; a stale one gets LEASE_LOST */
  lease_epoch?: number;
}

export interface AttachResult {
  artifact: Artifact;
  stored: BlobStorage;
  /** true when these exact bytes were already stored (by any run): no new blob was written */
  deduplicated: boolean;
}

/**
 * Attaches a piece of evidence to a run the caller owns.
 *
 * 0. A read-only fencing check, so a stale owner is refused before any bytes are read or written.
 * 1. Gather the bytes (inline text, base64, or a bounded read of a workspace file) and hash them,
 *    outside any transaction.
 * 2. Large blobs: write `<dataDir>/blobs/ab/<sha256>` durably BEFORE the transaction.
 * 3. One write transaction: fence the run (LEASE_LOST for a stale owner), insert the blob row
 *    unless these bytes are already stored, insert the artifact, append `artifact.attached`.
 * A refusal in step 3 stores nothing in the database; a large blob's file may stay as an orphan.
 */
export interface AttachOptions {
  /**
   * Whether `path` may be read: true when the caller runs on the server's machine as its OS user
   * (stdio); false over HTTP, where a path would name a file of the server, not of the agent.
   */
  localFiles: boolean;
}

export async function attachEvidence(deps: Deps, agentId: string, input: AttachInput, options: AttachOptions = { localFiles: true }): Promise<AttachResult> {
  if (input.path !== undefined && !options.localFiles) {
    throw new FleetError(
      'FORBIDDEN',
      'attaching by path reads a file on the server, which this connection may not do',
      'send the bytes as content instead (encoding: base64 for binary files)',
    );
  }
  if (!isArtifactKind(input.kind)) {
    throw new FleetError(
      'INVALID_INPUT',
      `kind '${input.kind}' is not a valid evidence kind`,
      'use summary, patch, test-output, log, report, screenshot, … or a custom kind of lower-case words joined by - _ or . (at most 40 characters)',
    );
  }
  if (input.media_type !== undefined && (input.media_type.length > MEDIA_TYPE_MAX || !MEDIA_TYPE_PATTERN.test(input.media_type))) {
    throw new FleetError('INVALID_INPUT', `media_type '${input.media_type}' is not a media type`, 'use type/subtype, e.g. text/plain or image/png, or omit it to have it guessed');
  }
  if (input.name !== undefined && !isArtifactName(input.name, LIMITS.name)) {
    throw new FleetError('INVALID_INPUT', 'name must be 1 to 128 characters without control characters', 'e.g. vitest.log or fix.patch');
  }

  // Fail fast (before reading a file or writing a blob) when the caller plainly cannot write to
  // the run; the same check runs again inside the write transaction, which is the one that counts.
  await readTx(deps, async (tx, now) => await requireRunWriter(tx, input.run_id, agentId, input.lease_epoch, now));
  const gathered = await gatherBytes(deps, agentId, input);
  const { bytes } = gathered;
  const sha256 = sha256Hex(bytes);
  const name = input.name ?? gathered.defaultName;
  const mediaType = input.media_type ?? guessMediaType(name, bytes);
  const stored = storageFor(bytes.length, deps.settings.inlineBlobBytes ?? LIMITS.inlineBlobBytes);
  if (stored === 'file') await writeBlobFile(deps.settings.dataDir, sha256, bytes);

  return writeTx(deps, async (tx, now) => {
    await requireRunWriter(tx, input.run_id, agentId, input.lease_epoch, now);
    const isNewBlob = await tx.artifacts.putBlob({ sha256, size: bytes.length, stored, bytes: stored === 'inline' ? bytes : null }, now);
    const artifact = await tx.artifacts.insert(
      { id: newId('art'), runId: input.run_id, agentId, kind: input.kind, name, mediaType, sha256, size: bytes.length },
      now,
    );
    await tx.events.append(
      {
        actor: agentId,
        type: 'artifact.attached',
        agentId,
        runId: input.run_id,
        subjectId: artifact.id,
        payload: { kind: artifact.kind, name: artifact.name, media_type: artifact.mediaType, bytes: artifact.size, sha256 },
      },
      now,
    );
    const blob = isNewBlob ? null : await tx.artifacts.getBlob(sha256);
    return { artifact, stored: blob?.stored ?? stored, deduplicated: !isNewBlob };
  });
}

interface Gathered {
  bytes: Buffer;
  defaultName: string;
}

async function gatherBytes(deps: Deps, agentId: string, input: AttachInput): Promise<Gathered> {
  const hasContent = input.content !== undefined;
  const hasPath = input.path !== undefined;
  if (hasContent === hasPath) {
    throw new FleetError('INVALID_INPUT', 'give exactly one of content or path', 'content: inline text (or base64 with encoding: base64); path: a file inside your workspace');
  }
  if (hasContent) {
    const bytes = input.encoding === 'base64' ? decodeBase64(input.content!) : Buffer.from(input.content!, 'utf8');
    if (bytes.length > LIMITS.artifactBytes) {
      throw new FleetError('TOO_LARGE', `content is ${bytes.length} bytes; evidence is limited to ${LIMITS.artifactBytes} bytes`, 'attach an excerpt or split it into several artifacts', {
        limit_bytes: LIMITS.artifactBytes,
      });
    }
    return { bytes, defaultName: input.kind };
  }
  if (input.encoding !== undefined) {
    throw new FleetError('INVALID_INPUT', 'encoding applies to content only', 'omit encoding when attaching a file by path');
  }
  const root = await workspaceRoot(deps, agentId);
  const file = await readWorkspaceFile(root, input.path!, {
    limit: LIMITS.artifactBytes,
    forbidden: [join(deps.settings.dataDir, 'tokens'), blobsRoot(deps.settings.dataDir)],
  });
  return { bytes: file.bytes, defaultName: defaultNameFor(file.relative) };
}

/** The agent's registered workspace, else the server's default; relative ones resolve against the default. */
export async function workspaceRoot(deps: Deps, agentId: string): Promise<string> {
  const agent = await readTx(deps, async (tx) => await tx.agents.get(agentId));
  const registered = agent?.workspace ?? null;
  const base = deps.settings.worktree ?? deps.settings.workspace;
  if (!registered) return base;
  return isAbsolute(registered) ? registered : resolve(base, registered);
}

/** The workspace-relative path when it fits the name bound, else its last components. */
function defaultNameFor(relativePath: string): string {
  if (relativePath.length > 0 && relativePath.length <= LIMITS.name) return relativePath;
  const base = posix.basename(relativePath) || 'file';
  return base.length <= LIMITS.name ? base : base.slice(base.length - LIMITS.name);
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Strict base64 (standard or URL-safe alphabet; whitespace such as line wrapping is ignored). */
export function decodeBase64(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 === 1 || (compact.includes('=') && compact.length % 4 !== 0)) {
    throw new FleetError('INVALID_INPUT', 'content is not valid base64', 'encode the bytes as base64 (e.g. `base64 -w0 FILE`), or use encoding: utf8 for text');
  }
  return Buffer.from(compact, 'base64');
}
