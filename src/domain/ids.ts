import { randomBytes } from 'node:crypto';

export type IdPrefix = 'agt' | 'run' | 'clm' | 'hof' | 'blk' | 'art' | 'tok';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/** Random, URL-safe ids such as `agt_k3v9x0c2m4q8r1t5`: 80 bits of entropy, no ordering leak. */
export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(16);
  let body = '';
  for (let i = 0; i < 16; i++) body += ALPHABET[bytes[i]! & 31];
  return `${prefix}_${body}`;
}

export function hasPrefix(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(`${prefix}_`);
}
