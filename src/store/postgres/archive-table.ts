import type pg from 'pg';
import { parseSegmentName, type ArchiveStore } from '../port/archive.js';

/** Archive segments in the `event_archive_segments` table: one archive for every replica on every host. */
export function tableArchive(pool: pg.Pool): ArchiveStore {
  return {
    location: 'table event_archive_segments',
    async list() {
      const rows = await pool.query<{ first_seq: number; last_seq: number }>('SELECT first_seq, last_seq FROM event_archive_segments ORDER BY first_seq');
      return rows.rows.map((r) => {
        const name = `events-${String(r.first_seq).padStart(12, '0')}-${String(r.last_seq).padStart(12, '0')}.jsonl.gz`;
        return { name, firstSeq: Number(r.first_seq), lastSeq: Number(r.last_seq) };
      });
    },
    async read(name) {
      const info = parseSegmentName(name);
      if (!info) return null;
      const rows = await pool.query<{ body: Buffer }>('SELECT body FROM event_archive_segments WHERE first_seq = $1 AND last_seq = $2', [info.firstSeq, info.lastSeq]);
      return rows.rows[0]?.body ?? null;
    },
    async write(segment, body, meta, now) {
      // fixed blocks: a second process archiving the same block brings the same bytes
      await pool.query(
        `INSERT INTO event_archive_segments (first_seq, last_seq, events, first_prev_hash, last_hash, first_at, last_at, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (first_seq) DO NOTHING`,
        [segment.firstSeq, segment.lastSeq, meta.events, meta.firstPrevHash, meta.lastHash, meta.firstAt, meta.lastAt, body, now],
      );
    },
  };
}
