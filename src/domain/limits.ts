/**
 * Every size a caller can send is bounded; these are the bounds. Callers see them in each tool's
 * input schema (maxLength, maxItems); the evidence sizes are explained in docs/evidence.md.
 */
export const LIMITS = {
  name: 128,
  role: 64,
  id: 64,
  shortText: 500,
  text: 4_000,
  longText: 32_000,
  listItems: 100,
  capabilities: 32,
  pattern: 1_024,
  /** inline evidence and files attached by path */
  artifactBytes: 10 * 1024 * 1024,
  /** artifacts up to this size live in SQLite; larger ones in the data directory */
  inlineBlobBytes: 256 * 1024,
  waitSeconds: 110,
} as const;
