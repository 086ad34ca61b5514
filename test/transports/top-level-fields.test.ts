import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopLevelFields } from '../../src/transports/stdio/top-level-fields.js';

/** Feeds `text` as UTF-8 in chunks cut at the given positions. */
function scan(text: string, cuts: number[]): TopLevelFields {
  const bytes = Buffer.from(text, 'utf8');
  const scanner = new TopLevelFields();
  let start = 0;
  for (const cut of [...cuts.map((c) => c % (bytes.length + 1))].sort((a, b) => a - b)) {
    scanner.feed(bytes.subarray(start, cut));
    start = Math.max(start, cut);
  }
  scanner.feed(bytes.subarray(start));
  return scanner;
}

describe('TopLevelFields', () => {
  it('reads the top-level id and method of any message, whatever nests inside and wherever the chunks are cut', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.string({ maxLength: 40 })),
        fc.string({ maxLength: 30 }),
        fc.jsonValue({ maxDepth: 4 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        (id, method, params, idLast, cuts) => {
          // nested objects may carry their own "id" and "method" keys
          const decoy = { id: 'not-this-one', method: 'nor-this', params };
          const message = idLast ? { jsonrpc: '2.0', method, params: decoy, id } : { id, jsonrpc: '2.0', method, params: decoy };
          const scanner = scan(JSON.stringify(message, null, idLast ? 0 : 1), cuts);
          expect(scanner.scalar('id')).toEqual(id);
          expect(scanner.scalar('method')).toEqual(method);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps only short scalars: a structured or huge value is not kept', () => {
    const scanner = scan(JSON.stringify({ id: 'x'.repeat(1000), method: ['a'], params: { id: 3 } }), [7, 500]);
    expect(scanner.scalar('id')).toBeUndefined();
    expect(scanner.scalar('method')).toBeUndefined();
    expect(scanner.fields.has('params')).toBe(false);
  });
});
