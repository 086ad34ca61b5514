import type { FleetEvent } from '../domain/event.js';
import type { Store } from '../store/port/index.js';

export type EventListener = (events: FleetEvent[]) => void;

/**
 * Processes share nothing but the database, so each process follows the audit log's seq to learn
 * what others changed: subscriptions, `await_update` and `take_task`'s long poll all wake from it.
 * It polls only while someone listens, and `poke()` (called after local commits) looks at once.
 */
export class ChangeFeed {
  private listeners = new Set<EventListener>();
  private cursor: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly store: Store,
    private readonly pollMs: number,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    this.ensureRunning();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopTimer();
    };
  }

  /**
   * Resolves with the first event after `afterSeq` that matches `predicate`, or null after
   * `timeoutMs`. Callers read the object's state and the last seq in one read, then wait from
   * that seq: events committed in between are caught up here, so no change is missed.
   */
  waitFor(
    predicate: (e: FleetEvent) => boolean,
    afterSeq: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<FleetEvent | null> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (value: FleetEvent | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timeout);
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = () => finish(null);
      const check = (events: FleetEvent[]) => {
        const hit = events.find((e) => e.seq > afterSeq && predicate(e));
        if (hit) finish(hit);
      };
      const unsubscribe = this.subscribe(check);
      const timeout = setTimeout(() => finish(null), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) finish(null);
      this.store
        .read(async (tx) => await tx.events.list({ afterSeq, limit: 1000 }))
        .then(check, this.onError);
    });
  }

  poke(): void {
    if (this.listeners.size > 0) void this.poll();
  }

  close(): void {
    this.stopTimer();
    this.listeners.clear();
  }

  private ensureRunning(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
    if (this.cursor === null) void this.poll();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      if (this.cursor === null) {
        this.cursor = await this.store.read(async (tx) => await tx.events.lastSeq());
        return;
      }
      for (;;) {
        const after: number = this.cursor;
        const batch: FleetEvent[] = await this.store.read(async (tx) => await tx.events.list({ afterSeq: after, limit: 500 }));
        if (batch.length === 0) break;
        this.cursor = batch[batch.length - 1]!.seq;
        for (const listener of [...this.listeners]) listener(batch);
        if (batch.length < 500) break;
      }
    } catch (error) {
      this.onError(error);
    } finally {
      this.polling = false;
    }
  }
}
