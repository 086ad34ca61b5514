/**
 * A FIFO async mutex. SQLite allows one write transaction per connection, and a transaction whose
 * callback awaits would otherwise interleave with another caller's statements on that connection.
 * Uncontended, `run` costs no more than the promise it returns.
 */
export class Mutex {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.held = true;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.held = false;
    }
  }

  /** callers waiting behind the holder */
  get queued(): number {
    return this.waiting.length;
  }
}
