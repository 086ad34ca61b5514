/**
 * Where archived audit events are kept: segments of consecutive events, each a gzip-compressed
 * JSONL body (one stored event row per line, hashes included), named by its seq range.
 * SQLite keeps them as files in `<dataDir>/archive/`; PostgreSQL in a table, so every replica
 * on every host reads one archive.
 */
export interface ArchiveSegmentInfo {
  /** e.g. events-000000000001-000000001000.jsonl.gz */
  name: string;
  firstSeq: number;
  lastSeq: number;
}

export interface ArchiveStore {
  /** where the segments are, for messages: a directory, or the table's name */
  readonly location: string;
  /** every segment, by first seq */
  list(): Promise<ArchiveSegmentInfo[]>;
  /** the compressed body of one segment, or null when it is gone */
  read(name: string): Promise<Buffer | null>;
  /**
   * Stores a segment durably before its events leave the live log. Segments cover fixed blocks of
   * seqs, so two processes archiving at once write the same segment with the same bytes: the
   * second write changes nothing.
   */
  write(segment: ArchiveSegmentInfo, body: Buffer, meta: { events: number; firstPrevHash: string; lastHash: string; firstAt: number; lastAt: number }, now: number): Promise<void>;
}

const SEGMENT_NAME = /^events-(\d{12})-(\d{12})\.jsonl\.gz$/;

export function segmentName(firstSeq: number, lastSeq: number): string {
  return `events-${String(firstSeq).padStart(12, '0')}-${String(lastSeq).padStart(12, '0')}.jsonl.gz`;
}

export function parseSegmentName(name: string): ArchiveSegmentInfo | null {
  const m = SEGMENT_NAME.exec(name);
  return m ? { name, firstSeq: Number(m[1]), lastSeq: Number(m[2]) } : null;
}
