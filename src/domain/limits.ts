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
  /** evidence: files attached by path, and decoded inline content */
  artifactBytes: 10 * 1024 * 1024,
  /** one JSON-RPC message over stdio (a longer line is refused with TOO_LARGE, the connection kept) */
  messageBytes: 10 * 1024 * 1024,
  /**
   * inline evidence `content`, in characters: what fits in one message beside the rest of the
   * call (64 KiB of room), so any content the schema admits can be sent. As base64 that is about
   * 7.5 MiB of bytes; larger evidence goes by path.
   */
  inlineContentChars: 10 * 1024 * 1024 - 64 * 1024,
  /** artifacts up to this size live in SQLite; larger ones in the data directory */
  inlineBlobBytes: 256 * 1024,
  waitSeconds: 110,
} as const;
