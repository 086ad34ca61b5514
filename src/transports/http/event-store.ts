import { randomBytes } from 'node:crypto';
import type { EventStore } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../logger.js';
import type { Deps } from '../../services/deps.js';
import { appendStreamEvents, streamEventsAfter, type McpStreamEvent } from '../../services/mcp-sessions.js';

/** how long this replica gathers stream events before writing them in one statement */
const FLUSH_MS = 25;
/** events kept in memory at most while the database is unreachable (the oldest go first) */
const MAX_PENDING = 10_000;
/** events replayed per read */
const REPLAY_PAGE = 500;

/**
 * Writes stream events of every session of this replica to the database in batches: one INSERT
 * per FLUSH_MS instead of one per message, off the response's path (the message goes out on the
 * live stream at once; the copy is for a client that resumes, here or on another replica).
 */
export class StreamEventWriter {
  private pending: McpStreamEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly tag = randomBytes(3).toString('hex');
  private lastMs = 0;
  private counter = 0;

  constructor(
    private readonly deps: Deps,
    private readonly log: Logger,
  ) {}

  /**
   * A key that sorts after every key this replica issued before (a millisecond time that never
   * goes back, a counter, this replica's tag): a stream written by one replica at a time replays
   * in order, and a stream taken over by another replica seconds later sorts after.
   */
  nextKey(): string {
    const ms = Math.max(Date.now(), this.lastMs);
    if (ms !== this.lastMs) this.counter = 0;
    this.lastMs = ms;
    return `${ms.toString(36).padStart(9, '0')}-${(this.counter++).toString(36).padStart(5, '0')}-${this.tag}`;
  }

  push(event: McpStreamEvent): void {
    this.pending.push(event);
    if (this.pending.length > MAX_PENDING) this.pending.splice(0, this.pending.length - MAX_PENDING);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /**
   * The client read a stream to its end: nobody will resume it, so its events still waiting for
   * the next batch need not be written. Most tool calls answer within one batch interval, so most
   * never cost a write.
   */
  forget(sessionId: string, streamId: string): void {
    this.pending = this.pending.filter((e) => e.sessionId !== sessionId || e.streamId !== streamId);
  }

  /** Writes what is pending; resolves once this replica's earlier events are in the database (or given up). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await appendStreamEvents(this.deps, batch);
      } catch (error) {
        // a resumed stream misses these; the live stream already carried them
        this.log.warn({ err: error, events: batch.length }, 'could not store stream events for resumption');
      }
    });
    return this.flushing;
  }
}

/** An event id names its stream, so resuming needs no lookup: `<stream id>/<event key>`. */
function parseEventId(eventId: string): { streamId: string; key: string } | null {
  const slash = eventId.lastIndexOf('/');
  if (slash <= 0 || slash === eventId.length - 1) return null;
  return { streamId: eventId.slice(0, slash), key: eventId.slice(slash + 1) };
}

export { parseEventId };

/**
 * The SDK's EventStore for one MCP session, backed by the database: any replica replays a stream
 * after a client's Last-Event-ID. Priming events (empty) are not stored: their id only marks a position.
 * `muted` while a replica replays a session's initialize to itself (nothing of it is for the client).
 */
export class SessionEventStore implements EventStore {
  muted = false;

  constructor(
    private readonly sessionId: string,
    private readonly writer: StreamEventWriter,
    private readonly deps: Deps,
  ) {}

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const key = this.writer.nextKey();
    if (!this.muted && Object.keys(message).length > 0) {
      this.writer.push({ sessionId: this.sessionId, streamId, eventKey: key, message: JSON.stringify(message), createdAt: this.deps.clock.now() });
    }
    return `${streamId}/${key}`;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return parseEventId(eventId)?.streamId;
  }

  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> }): Promise<string> {
    const at = parseEventId(lastEventId);
    if (!at) throw new Error('invalid event id');
    await this.writer.flush();
    for (let after = at.key; ; ) {
      const page = await streamEventsAfter(this.deps, this.sessionId, at.streamId, after, REPLAY_PAGE);
      for (const e of page) await send(`${at.streamId}/${e.eventKey}`, JSON.parse(e.message) as JSONRPCMessage);
      if (page.length < REPLAY_PAGE) break;
      after = page[page.length - 1]!.eventKey;
    }
    return at.streamId;
  }
}
