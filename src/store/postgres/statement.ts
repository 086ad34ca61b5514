import { createHash } from 'node:crypto';

/** A named statement: node-postgres prepares it once per connection and reuses it by name. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

const byText = new Map<string, Statement>();

/**
 * Names a SQL text after its hash, so the same text is one prepared statement on every pooled
 * connection; dynamic filters produce a few shapes, each prepared once.
 */
export function sql(text: string): Statement {
  let st = byText.get(text);
  if (!st) {
    st = { name: `fd_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text };
    byText.set(text, st);
  }
  return st;
}
