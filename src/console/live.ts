import type { ServerResponse } from 'node:http';
import type { FleetEvent } from '../domain/event.js';
import type { ChangeFeed } from '../services/change-feed.js';

/**
 * Server-Sent Events for live views. Each browser tab holds one stream; every batch of new audit
 * events (from any process on the database: the change feed follows the log's seq) becomes one
 * `change` message naming the seq and what changed, and the page re-renders its live region.
 * A comment every 20 s keeps proxies from closing an idle stream.
 */
export class LiveStreams {
  private open = 0;

  constructor(
    private readonly feed: ChangeFeed,
    readonly maxStreams = 200,
    private readonly keepAliveMs = 20_000,
  ) {}

  get count(): number {
    return this.open;
  }

  /** false when too many streams are open (the caller answers 503; the page falls back to polling) */
  attach(res: ServerResponse, onClose: () => void = () => {}): boolean {
    if (this.open >= this.maxStreams) return false;
    this.open++;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    const unsubscribe = this.feed.subscribe((events) => {
      res.write(`event: change\ndata: ${JSON.stringify(describe(events))}\n\n`);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), this.keepAliveMs);
    keepAlive.unref();
    res.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      this.open--;
      onClose();
    });
    res.write(`event: hello\ndata: {}\n\n`);
    return true;
  }
}

function describe(events: FleetEvent[]): { seq: number; types: string[]; runs: string[]; agents: string[] } {
  const last = events[events.length - 1];
  const uniq = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => x !== null))].slice(0, 50);
  return { seq: last?.seq ?? 0, types: uniq(events.map((e) => e.type)), runs: uniq(events.map((e) => e.runId)), agents: uniq(events.map((e) => e.agentId)) };
}
