import { describe, expect, it } from 'vitest';
import { hasPrefix, newId, type IdPrefix } from '../../src/domain/ids.js';
import { idOf } from '../../src/mcp/schemas.js';

const PREFIXES: IdPrefix[] = ['agt', 'run', 'clm', 'hof', 'blk', 'art', 'tok'];

describe('ids (domain/ids)', () => {
  it('are the prefix, an underscore and 16 lower-case Crockford base32 characters', () => {
    for (const prefix of PREFIXES) {
      const id = newId(prefix);
      expect(id).toMatch(new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{16}$`));
      expect(hasPrefix(id, prefix)).toBe(true);
      expect(hasPrefix(id, prefix === 'agt' ? 'run' : 'agt')).toBe(false);
    }
  });

  it('are accepted by the tool schemas for their prefix and refused for another', () => {
    const id = newId('run');
    expect(idOf('run').safeParse(id).success).toBe(true);
    expect(idOf('agt').safeParse(id).success).toBe(false);
  });

  it('do not repeat (80 bits of randomness)', () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => newId('agt')));
    expect(ids.size).toBe(20_000);
  });

  it('use the whole alphabet, so no character carries a pattern', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) for (const ch of newId('art').slice(4)) seen.add(ch);
    expect(seen.size).toBe(32);
    for (const excluded of ['i', 'l', 'o', 'u']) expect(seen.has(excluded)).toBe(false);
  });
});
