import { gunzipSync, gzipSync } from 'node:zlib';
import type { RawEventRow } from '../../store/port/events.js';

/** Events per archive segment: segments cover fixed blocks of seqs (1–1000, 1001–2000, …). */
export const ARCHIVE_BLOCK = 1000;

/** A compressed segment never inflates past this (a block of events at their largest payloads). */
const MAX_SEGMENT_BYTES = 256 * 1024 * 1024;

/** The block that holds `seq`: its first and last seq. */
export function blockOf(seq: number): { firstSeq: number; lastSeq: number } {
  const firstSeq = Math.floor((seq - 1) / ARCHIVE_BLOCK) * ARCHIVE_BLOCK + 1;
  return { firstSeq, lastSeq: firstSeq + ARCHIVE_BLOCK - 1 };
}

/** One stored event row per line, as stored (the payload as its exact JSON text), gzip-compressed. */
export function encodeSegment(rows: RawEventRow[]): Buffer {
  const lines = rows.map((r) =>
    JSON.stringify({
      seq: r.seq,
      at: r.at,
      actor: r.actor,
      type: r.type,
      agent_id: r.agent_id,
      run_id: r.run_id,
      subject_id: r.subject_id,
      payload: r.payload,
      prev_hash: r.prev_hash,
      hash: r.hash,
    }),
  );
  // level 9 and no timestamp in the header: the same events always give the same bytes
  return gzipSync(`${lines.join('\n')}\n`, { level: 9 });
}

export class SegmentFormatError extends Error {}

/** The rows of a segment, or SegmentFormatError when it is not one (truncated, not gzip, not JSONL of events). */
export function decodeSegment(body: Buffer): RawEventRow[] {
  let text: string;
  try {
    text = gunzipSync(body, { maxOutputLength: MAX_SEGMENT_BYTES }).toString('utf8');
  } catch (error) {
    throw new SegmentFormatError(`not a readable gzip segment (${(error as Error).message})`);
  }
  const rows: RawEventRow[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new SegmentFormatError(`line ${i + 1} is not JSON`);
    }
    if (!isRawEventRow(parsed)) throw new SegmentFormatError(`line ${i + 1} is not a stored event`);
    rows.push(parsed);
  }
  return rows;
}

function isRawEventRow(v: unknown): v is RawEventRow {
  const r = v as Record<string, unknown> | null;
  if (!r || typeof r !== 'object') return false;
  const text = (k: string) => typeof r[k] === 'string';
  const textOrNull = (k: string) => r[k] === null || typeof r[k] === 'string';
  return (
    Number.isSafeInteger(r.seq) && Number.isFinite(r.at) && text('actor') && text('type') && textOrNull('agent_id') &&
    textOrNull('run_id') && textOrNull('subject_id') && text('payload') && text('prev_hash') && text('hash')
  );
}
