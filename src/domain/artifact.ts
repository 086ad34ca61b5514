import { isUtf8 } from 'node:buffer';
import { extname } from 'node:path';

/**
 * Glossary: an artifact is one piece of evidence attached to a run (a summary, a patch, test
 * output, a screenshot…). Its bytes live in a content-addressed blob (keyed by sha256, stored once
 * however many artifacts share them); the artifact row adds who attached it, to which run, as
 * what kind, under which name and media type.
 */

/** Kinds agents are encouraged to use; any kind matching ARTIFACT_KIND_PATTERN is accepted too. */
export const KNOWN_ARTIFACT_KINDS = [
  'summary',
  'patch',
  'diff',
  'test-output',
  'log',
  'report',
  'screenshot',
  'coverage',
  'benchmark',
  'trace',
  'review',
  'plan',
  'other',
] as const;

/** Lower-case words joined by `-`, `_` or `.`, up to 40 characters: safe in URIs, SQL and file names. */
export const ARTIFACT_KIND_PATTERN = /^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$/;
export const ARTIFACT_KIND_MAX = 40;

export function isArtifactKind(kind: string): boolean {
  return kind.length <= ARTIFACT_KIND_MAX && ARTIFACT_KIND_PATTERN.test(kind);
}

/** `type/subtype` with optional `; key=value` parameters, lower-case type names. */
export const MEDIA_TYPE_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(?:\s*;\s*[a-z0-9!#$&^_.+-]+=(?:[a-z0-9!#$&^_.+-]+|"[^"\\\r\n]*"))*$/i;
export const MEDIA_TYPE_MAX = 128;

export type BlobStorage = 'inline' | 'file';

export interface Artifact {
  id: string;
  runId: string;
  agentId: string;
  kind: string;
  name: string;
  mediaType: string;
  sha256: string;
  size: number;
  createdAt: number;
}

export interface StoredBlob {
  sha256: string;
  size: number;
  stored: BlobStorage;
  /** the bytes when stored inline in SQLite; null when they live in the data directory */
  bytes: Buffer | null;
}

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

export const artifactUri = (artifactId: string): string => `fleet://artifacts/${artifactId}`;

/** Blobs up to `inlineLimit` bytes live in SQLite; larger ones in `<dataDir>/blobs/`. */
export function storageFor(size: number, inlineLimit: number): BlobStorage {
  return size > inlineLimit ? 'file' : 'inline';
}

/** A small table, enough for what coding agents attach; anything else is sniffed. */
const BY_EXTENSION: Record<string, string> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.out': 'text/plain',
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.diff': 'text/x-diff',
  '.patch': 'text/x-diff',
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.ndjson': 'application/x-ndjson',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.toml': 'application/toml',
  '.xml': 'application/xml',
  '.junit': 'application/xml',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.cjs': 'text/javascript',
  '.ts': 'text/x-typescript',
  '.tsx': 'text/x-typescript',
  '.py': 'text/x-python',
  '.go': 'text/x-go',
  '.rs': 'text/x-rust',
  '.java': 'text/x-java',
  '.c': 'text/x-c',
  '.h': 'text/x-c',
  '.cpp': 'text/x-c++',
  '.sh': 'text/x-shellscript',
  '.sql': 'application/sql',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.tar': 'application/x-tar',
  '.wasm': 'application/wasm',
};

/** Given media type, else by the name's extension, else text/plain for UTF-8 text, else octet-stream. */
export function guessMediaType(name: string | null, bytes: Buffer): string {
  const byName = name ? BY_EXTENSION[extname(name).toLowerCase()] : undefined;
  if (byName) return byName;
  return looksLikeText(bytes) ? 'text/plain' : 'application/octet-stream';
}

/** Valid UTF-8 without NUL bytes (binary formats are valid UTF-8 surprisingly often, NUL-free rarely). */
export function looksLikeText(bytes: Buffer): boolean {
  return !bytes.includes(0) && isUtf8(bytes);
}

const TEXTUAL_APPLICATION = new Set([
  'application/json',
  'application/x-ndjson',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/xml',
  'application/sql',
  'application/javascript',
  'application/x-sh',
]);

/** Media types a resource may return as `text` (if the bytes also decode as UTF-8). */
export function isTextualMediaType(mediaType: string): boolean {
  const base = mediaType.split(';')[0]!.trim().toLowerCase();
  if (base.startsWith('text/')) return true;
  if (TEXTUAL_APPLICATION.has(base)) return true;
  return base.endsWith('+json') || base.endsWith('+xml');
}

/** Names are labels, not paths we open: bounded, no control characters. */
export function isArtifactName(name: string, max: number): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length >= 1 && name.length <= max && !/[\u0000-\u001f\u007f]/.test(name);
}
