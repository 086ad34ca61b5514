/**
 * Reads the top-level scalar fields (`id`, `method`, …) of a JSON object streamed in byte chunks,
 * keeping only a few hundred bytes whatever the object's size. Used on a message too large to
 * buffer: enough to answer its request id. JSON's structural characters are ASCII, so scanning
 * UTF-8 bytes is exact.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

/** A key or scalar value longer than this is not kept (ids and method names are short). */
const MAX_KEPT = 256;

export class TopLevelFields {
  /** bytes seen */
  bytes = 0;
  /** raw JSON text of each top-level scalar field seen so far */
  readonly fields = new Map<string, string>();
  private depth = 0;
  private inString = false;
  private escaped = false;
  private role: 'none' | 'key' | 'value' = 'none';
  private key: number[] = [];
  private value: number[] = [];
  private kept = true;
  private currentKey: string | null = null;

  feed(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.depth === 1 && this.role === 'key') {
            this.currentKey = this.kept ? Buffer.from(this.key).toString('utf8') : null;
            this.key = [];
            this.kept = true;
            continue;
          }
        }
        this.keep(c);
        continue;
      }
      switch (c) {
        case QUOTE:
          this.inString = true;
          if (this.role === 'value') this.keep(c);
          break;
        case OPEN_OBJECT:
        case OPEN_ARRAY:
          if (this.depth === 0 && c === OPEN_OBJECT) this.role = 'key';
          else if (this.depth === 1) this.kept = false; // a structured value: not needed
          this.depth++;
          break;
        case CLOSE_OBJECT:
        case CLOSE_ARRAY:
          this.depth--;
          if (this.depth === 0) this.endValue();
          break;
        case COLON:
          if (this.depth === 1) this.role = 'value';
          break;
        case COMMA:
          if (this.depth === 1) {
            this.endValue();
            this.role = 'key';
          }
          break;
        default:
          this.keep(c);
      }
    }
  }

  /** A top-level field as a JSON value (string or number), or undefined. */
  scalar(name: string): string | number | undefined {
    const raw = this.fields.get(name);
    if (raw === undefined) return undefined;
    try {
      const value: unknown = JSON.parse(raw);
      return typeof value === 'string' || typeof value === 'number' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  private keep(c: number): void {
    if (this.depth !== 1 || !this.kept) return;
    const into = this.role === 'key' ? (this.inString ? this.key : null) : this.role === 'value' ? this.value : null;
    if (!into) return;
    if (into.length >= MAX_KEPT) this.kept = false;
    else into.push(c);
  }

  private endValue(): void {
    if (this.role === 'value' && this.currentKey !== null && this.kept) {
      this.fields.set(this.currentKey, Buffer.from(this.value).toString('utf8').trim());
    }
    this.value = [];
    this.kept = true;
    this.currentKey = null;
    this.role = 'none';
  }
}
