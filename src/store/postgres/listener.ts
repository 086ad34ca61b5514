import pg from 'pg';
import type { Logger } from '../../logger.js';
import { EVENTS_CHANNEL } from './commit-log.js';

/**
 * One LISTEN connection per process. Every writing transaction NOTIFYs inside itself (so the
 * notification is delivered only if it commits, after it commits); this process's change feed then
 * looks at once instead of waiting for its next poll. Notifications are a wake-up, never the data:
 * the feed still reads the log by seq, and keeps polling as the fallback while the connection is
 * down (it reconnects with a growing delay).
 */
export class CommitListener {
  private client: pg.Client | null = null;
  private closed = false;
  private retryMs = 100;
  private timer: NodeJS.Timeout | null = null;
  /** whether LISTEN is in place right now (the feed's poll is then only a safety net) */
  connected = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly onCommit: (seq: number) => void,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client(this.config);
    client.on('notification', (msg) => {
      if (msg.channel === EVENTS_CHANNEL) this.onCommit(Number(msg.payload ?? 0));
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      if (this.closed) return void (await client.end().catch(() => {}));
      this.client = client;
      this.connected = true;
      this.retryMs = 100;
      this.onCommit(0); // catch up on anything committed while we were not listening
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== null && this.client !== client) return;
    this.client = null;
    this.connected = false;
    client.end().catch(() => {});
    if (this.closed || this.timer) return;
    this.logger.warn({ err: error, retryMs: this.retryMs }, 'LISTEN connection lost; polling until it is back');
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.start();
    }, this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(this.retryMs * 2, 5_000);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    this.connected = false;
    if (client) await client.end().catch(() => {});
  }
}
