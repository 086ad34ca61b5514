import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Deps } from '../services/deps.js';
import { authenticateBearer } from '../services/access-tokens.js';
import { readCookies, serializeCookie } from './cookies.js';
import { localPath, readForm, redirect, sendHtml } from './http-util.js';
import type { RateLimiter } from './rate-limit.js';
import { operatorTokenActive } from './read-model.js';
import { randomSecret, sameSecret } from './secrets.js';
import type { ConsoleSession, SessionStore } from './sessions.js';
import type { SignInCodes } from './sign-in-codes.js';
import { codePage, loginPage } from './views/login.js';

export const SESSION_COOKIE = 'fleetdeck_session';
/** Before sign-in there is no session to hold a CSRF token: the login form uses a double-submit cookie. */
export const LOGIN_COOKIE = 'fleetdeck_login';
const LOGIN_COOKIE_SECONDS = 600;

export interface Auth {
  deps: Deps;
  sessions: SessionStore;
  codes: SignInCodes;
  secureCookies: boolean;
  /** sign-in attempts per client (peer address) */
  signInLimiter: RateLimiter;
  counters: { signInFailures: number };
}

/** The signed-in session of this request, or null. A session opened with a revoked token ends. */
export async function currentSession(auth: Auth, req: IncomingMessage): Promise<ConsoleSession | null> {
  const session = await auth.sessions.touch(readCookies(req).get(SESSION_COOKIE));
  if (!session) return null;
  if (session.tokenId !== null && !(await operatorTokenActive(auth.deps, session.tokenId))) {
    await auth.sessions.destroy(session.id);
    return null;
  }
  return session;
}

export function showLogin(auth: Auth, req: IncomingMessage, res: ServerResponse, query: URLSearchParams, status = 200, error?: string, headers: Record<string, string> = {}): void {
  // reuse the browser's pending value: another tab (or a favicon request) must not invalidate this form
  const pending = readCookies(req).get(LOGIN_COOKIE);
  const csrf = pending && /^[A-Za-z0-9_-]{43}$/.test(pending) ? pending : randomSecret();
  const cookie = serializeCookie(LOGIN_COOKIE, csrf, { maxAgeSeconds: LOGIN_COOKIE_SECONDS, secure: auth.secureCookies, path: '/login' });
  const code = query.get('code');
  const body = code && !error ? codePage({ csrf, code: code.slice(0, 100) }) : loginPage({ csrf, next: localPath(query.get('next')), error });
  sendHtml(res, status, body, { ...headers, 'Set-Cookie': cookie });
}

/** POST /login: a one-time code, or an operator token. Agent tokens are refused. */
export async function handleLogin(auth: Auth, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const client = req.socket.remoteAddress ?? 'unknown';
  const retryAfter = auth.signInLimiter.take(client);
  if (retryAfter !== null) {
    req.resume();
    auth.deps.logger.warn({ client, retryAfterSeconds: retryAfter }, 'console sign-in rate limited');
    return showLogin(auth, req, res, new URLSearchParams(), 429, `Too many sign-in attempts from this address. Try again in ${retryAfter} s.`, { 'Retry-After': String(retryAfter) });
  }
  const form = await readForm(req, 4096);
  const again = (status: number, error: string) => {
    if (status === 401 || status === 403) {
      auth.counters.signInFailures++;
      auth.deps.logger.warn({ client, status }, 'console sign-in refused');
    }
    showLogin(auth, req, res, new URLSearchParams({ next: form.get('next') ?? '/' }), status, error);
  };
  if (!sameSecret(readCookies(req).get(LOGIN_COOKIE), form.get('_csrf'))) {
    return again(403, 'The sign-in form expired or came from another site. Try again.');
  }
  let operator: string | null = null;
  let tokenId: string | null = null;
  const code = form.get('code');
  if (code) {
    operator = auth.codes.consume(code);
    if (!operator) return again(401, 'This sign-in link was already used or has expired. Run fleetdeck console again for a new one, or sign in with a token.');
  } else {
    const token = (form.get('token') ?? '').trim();
    const identity = token ? await authenticateBearer(auth.deps, token) : null;
    if (!identity) return again(401, 'Unknown or revoked token.');
    if (identity.kind !== 'operator') return again(403, 'Agent tokens cannot sign in to the console: use an operator token (fleetdeck token create --operator).');
    operator = identity.name;
    tokenId = identity.tokenId;
  }
  auth.signInLimiter.refund(client);
  const session = await auth.sessions.create(operator, tokenId);
  auth.deps.logger.info({ operator, via: code ? 'one-time code' : 'token' }, 'console sign-in');
  redirect(res, localPath(form.get('next')), {
    'Set-Cookie': [
      serializeCookie(SESSION_COOKIE, session.id, { maxAgeSeconds: auth.sessions.cookieMaxAgeSeconds(session), secure: auth.secureCookies }),
      serializeCookie(LOGIN_COOKIE, '', { maxAgeSeconds: 0, secure: auth.secureCookies, path: '/login' }),
    ],
  });
}

export async function endSession(auth: Auth, res: ServerResponse, session: ConsoleSession): Promise<void> {
  await auth.sessions.destroy(session.id);
  redirect(res, '/login', { 'Set-Cookie': serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: auth.secureCookies }) });
}
