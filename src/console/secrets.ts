import { randomBytes, timingSafeEqual } from 'node:crypto';

/** 256-bit random identifiers for sessions, CSRF tokens and sign-in codes. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Constant-time comparison, so a guesser learns nothing from response times. */
export function sameSecret(a: string | undefined | null, b: string | undefined | null): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
