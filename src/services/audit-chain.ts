import { eventHash, GENESIS_HASH } from '../domain/event.js';
import type { RawEventRow } from '../store/port/events.js';

/**
 * Walks the audit chain one stored event at a time, wherever the event is read from (an archive
 * segment or the live log), and says what is wrong with the first event that does not link.
 */
export class ChainWalker {
  /** the seq the next event must have */
  nextSeq = 1;
  private prevHash = GENESIS_HASH;
  count = 0;

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  get lastHash(): string {
    return this.prevHash;
  }

  /** Checks `row` as the next link: null when it links, else why not. */
  accept(row: RawEventRow): string | null {
    if (row.seq !== this.nextSeq) {
      return row.seq > this.nextSeq
        ? `expected seq ${this.nextSeq}, found ${row.seq} (an event is missing)`
        : `expected seq ${this.nextSeq}, found ${row.seq} (events out of order)`;
    }
    if (row.prev_hash !== this.prevHash) return `prev_hash ${row.prev_hash.slice(0, 12)}… does not match the hash of event ${row.seq - 1}`;
    const recomputed = eventHash({
      seq: row.seq,
      at: row.at,
      actor: row.actor,
      type: row.type,
      agentId: row.agent_id,
      runId: row.run_id,
      subjectId: row.subject_id,
      payloadJson: row.payload,
      prevHash: row.prev_hash,
    });
    if (recomputed !== row.hash) return 'the stored hash does not match the event content (the event was altered)';
    this.prevHash = row.hash;
    this.nextSeq++;
    this.count++;
    return null;
  }
}
