import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { readCookies, serializeCookie } from '../../src/console/cookies.js';
import { localPath } from '../../src/console/http-util.js';
import { DEFAULT_SESSION_LIMITS, SessionStore, type SessionLimits } from '../../src/console/sessions.js';
import { openTestApp, type TestApp } from '../helpers/app.js';
import { SignInCodes } from '../../src/console/sign-in-codes.js';

const MIN = 60_000;

describe('console sessions (in the database)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp();
  });
  afterEach(async () => {
    await t.close();
  });
  const storeWith = (limits: SessionLimits) => new SessionStore(t.app.deps.store, t.clock, limits);

  it('expire after the idle time, and every request restarts the idle timer', async () => {
    const store = storeWith({ idleMs: 30 * MIN, absoluteMs: 8 * 60 * MIN, max: 10 });
    const s = await store.create('ops', null);
    t.clock.advance(29 * MIN);
    expect((await store.touch(s.id))?.operator).toBe('ops');
    t.clock.advance(29 * MIN);
    expect((await store.touch(s.id))?.id).toBe(s.id); // 58 minutes in all, but never 30 idle
    t.clock.advance(30 * MIN);
    expect(await store.touch(s.id)).toBeNull();
    expect(await store.touch(s.id)).toBeNull(); // and it stays gone
    expect(await store.size()).toBe(0);
  });

  it('end at the absolute limit however active, and the cookie lives exactly that long', async () => {
    const store = storeWith({ idleMs: 30 * MIN, absoluteMs: 60 * MIN, max: 10 });
    const s = await store.create('ops', 'tok_1');
    expect(store.cookieMaxAgeSeconds(s)).toBe(3600);
    for (let i = 0; i < 5; i++) {
      t.clock.advance(11 * MIN);
      expect(await store.touch(s.id)).not.toBeNull();
    }
    expect(store.cookieMaxAgeSeconds(s)).toBe(300);
    t.clock.advance(5 * MIN);
    expect(await store.touch(s.id)).toBeNull();
  });

  it('end on sign-out, and unknown ids are not sessions', async () => {
    const store = storeWith(DEFAULT_SESSION_LIMITS);
    const s = await store.create('ops', null);
    await store.destroy(s.id);
    expect(await store.touch(s.id)).toBeNull();
    expect(await store.touch(undefined)).toBeNull();
    expect(await store.touch('nope')).toBeNull();
  });

  it('drop the least recently used session past the limit', async () => {
    const store = storeWith({ idleMs: 60 * MIN, absoluteMs: 600 * MIN, max: 2 });
    const a = await store.create('a', null);
    t.clock.advance(MIN);
    const b = await store.create('b', null);
    t.clock.advance(MIN);
    await store.touch(a.id); // b is now the least recently used
    t.clock.advance(MIN);
    const c = await store.create('c', null);
    expect(await store.size()).toBe(2);
    expect(await store.touch(b.id)).toBeNull();
    expect((await store.touch(a.id))?.operator).toBe('a');
    expect((await store.touch(c.id))?.operator).toBe('c');
  });

  it('store only a hash of the session id, and survive a second store object (a restart, another replica)', async () => {
    const s = await storeWith(DEFAULT_SESSION_LIMITS).create('ops', null);
    const other = storeWith(DEFAULT_SESSION_LIMITS);
    expect((await other.touch(s.id))?.csrf).toBe(s.csrf);
    const stored = await t.app.deps.store.read((tx) => tx.consoleSessions.get(s.id));
    expect(stored).toBeNull(); // the raw id is not a key
  });

  it('check the CSRF synchronizer token of their own session only', async () => {
    const store = storeWith(DEFAULT_SESSION_LIMITS);
    const a = await store.create('a', null);
    const b = await store.create('b', null);
    expect(a.csrf).not.toBe(b.csrf);
    expect(a.csrf.length).toBeGreaterThanOrEqual(43); // 256 bits
    expect(store.csrfMatches(a, a.csrf)).toBe(true);
    expect(store.csrfMatches(a, b.csrf)).toBe(false);
    expect(store.csrfMatches(a, undefined)).toBe(false);
    expect(store.csrfMatches(a, '')).toBe(false);
    expect(store.csrfMatches(a, a.csrf.slice(0, -1))).toBe(false);
  });
});

describe('one-time sign-in codes', () => {
  it('work once', () => {
    const codes = new SignInCodes(new ManualClock());
    const { code } = codes.issue('alice');
    expect(codes.consume(code)).toBe('alice');
    expect(codes.consume(code)).toBeNull();
  });

  it('expire after their lifetime, even unused', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 30));
    const codes = new SignInCodes(clock, 5 * MIN);
    const early = codes.issue('alice');
    const late = codes.issue('alice');
    expect(early.expiresAt).toBe(clock.now() + 5 * MIN);
    clock.advance(5 * MIN - 1);
    expect(codes.consume(early.code)).toBe('alice');
    clock.advance(1);
    expect(codes.consume(late.code)).toBeNull();
  });

  it('refuse unknown, empty and oversized codes', () => {
    const codes = new SignInCodes(new ManualClock());
    codes.issue('alice');
    expect(codes.consume(undefined)).toBeNull();
    expect(codes.consume('')).toBeNull();
    expect(codes.consume('x'.repeat(500))).toBeNull();
    expect(codes.consume('guess')).toBeNull();
  });
});

describe('cookies and redirects', () => {
  it('session cookies are HttpOnly and SameSite=Strict with a lifetime', () => {
    const c = serializeCookie('fleetdeck_session', 'abc', { maxAgeSeconds: 3600 });
    expect(c).toBe('fleetdeck_session=abc; Path=/; Max-Age=3600; SameSite=Strict; HttpOnly');
    expect(serializeCookie('x', 'y', { maxAgeSeconds: 1, secure: true })).toContain('; Secure');
  });

  it('reads the first value of each cookie and ignores malformed ones', () => {
    const cookies = readCookies({ headers: { cookie: 'a=1; b=%E0%A4%A; a=2; fleetdeck_session=s%3D' } } as never);
    expect(cookies.get('a')).toBe('1');
    expect(cookies.has('b')).toBe(false);
    expect(cookies.get('fleetdeck_session')).toBe('s=');
  });

  it('only redirects back to local paths', () => {
    expect(localPath('/runs?state=dead')).toBe('/runs?state=dead');
    for (const bad of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'runs', '', null, '/\t/evil.example/x', '/\n/evil.example', '/a\rb', '/ /x', '/\u0000x', '/x\\y'])
      expect(localPath(bad)).toBe('/');
    expect(localPath('/%09/evil.example')).toBe('/%09/evil.example'); // an encoded tab stays a path segment
  });
});
