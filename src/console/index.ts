import type { IncomingMessage, ServerResponse } from 'node:http';
import { FleetError } from '../domain/errors.js';
import type { App } from '../main.js';
import { readArtifact } from '../services/evidence/read.js';
import { isActionName, needsConfirmation, runAction, type ActionName } from './actions.js';
import { ASSETS } from './assets/index.js';
import { currentSession, endSession, handleLogin, showLogin, type Auth } from './auth.js';
import { ChainStatus } from './chain-status.js';
import { HttpRefusal, httpStatusOf, localPath, readForm, redirect, sendAsset, sendHtml, sendJson, wantsJson } from './http-util.js';
import { consoleHint } from './hints.js';
import { LiveStreams } from './live.js';
import { errorText, noticeText } from './notices.js';
import { RateLimiter, SIGN_IN_LIMIT, type RateLimit } from './rate-limit.js';
import type { PrometheusWriter } from '../services/metrics.js';
import { DEFAULT_SESSION_LIMITS, SessionStore, type ConsoleSession, type SessionLimits } from './sessions.js';
import { SignInCodes } from './sign-in-codes.js';
import { agentsView } from './views/agents.js';
import { blockersView } from './views/blockers.js';
import { claimsView } from './views/claims.js';
import { eventsView } from './views/events.js';
import { page, type PageContext, type View } from './views/layout.js';
import { confirmPage, errorPage } from './views/login.js';
import { overviewView } from './views/overview.js';
import { queueView } from './views/queue.js';
import { runDetailView } from './views/run-detail.js';
import { runsView } from './views/runs.js';

/**
 * The operator's web console, mounted on the HTTP transport beside /mcp. Server-rendered pages
 * (one per view, each a deep link), a small script that keeps them live over Server-Sent Events
 * and posts actions with the CSRF token; every action is one service call (actions.ts).
 * The transport has already applied the Host/Origin check before a request reaches here.
 */
export interface WebConsoleOptions {
  sessionLimits?: SessionLimits;
  signInCodeTtlMs?: number;
  /** mark cookies Secure (when served behind TLS) */
  secureCookies?: boolean;
  maxLiveStreams?: number;
  signInLimit?: RateLimit;
}

export interface WebConsole {
  /** handles a request the transport routed to the console (anything but /mcp, /healthz, /metrics) */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** a single-use sign-in code for `fleetdeck console`'s link */
  issueSignInCode(operator: string): { code: string; expiresAt: number };
  liveStreams(): number;
  /** the console's counters for /metrics (sign-in failures and rate limiting) */
  writeMetrics(out: PrometheusWriter): void;
}

type ViewRoute = (ctx: PageContext, query: URLSearchParams, match: RegExpExecArray) => Promise<View>;

export function createWebConsole(app: App, options: WebConsoleOptions = {}): WebConsole {
  const deps = app.deps;
  const auth: Auth = {
    deps,
    sessions: new SessionStore(deps.store, deps.clock, options.sessionLimits ?? DEFAULT_SESSION_LIMITS),
    codes: new SignInCodes(deps.clock, options.signInCodeTtlMs),
    secureCookies: options.secureCookies ?? false,
    signInLimiter: new RateLimiter(deps.clock, options.signInLimit ?? SIGN_IN_LIMIT),
    counters: { signInFailures: 0 },
  };
  const chain = new ChainStatus(deps);
  const live = new LiveStreams(app.feed, options.maxLiveStreams);

  const views: [RegExp, ViewRoute][] = [
    [/^\/$/, () => overviewView(deps)],
    [/^\/agents$/, (ctx, q) => agentsView(deps, ctx, q)],
    [/^\/runs$/, (ctx, q) => runsView(deps, ctx, q)],
    [/^\/runs\/(run_[0-9a-z]{1,60})$/, (ctx, q, m) => runDetailView(deps, ctx, m[1]!, q)],
    [/^\/claims$/, (ctx, q) => claimsView(deps, ctx, q)],
    [/^\/blockers$/, (ctx) => blockersView(deps, ctx)],
    [/^\/events$/, (_ctx, q) => eventsView(deps, chain, q)],
    [/^\/queue$/, () => queueView(deps)],
  ];

  async function serveView(req: IncomingMessage, res: ServerResponse, session: ConsoleSession, url: URL): Promise<boolean> {
    for (const [pattern, route] of views) {
      const m = pattern.exec(url.pathname);
      if (!m) continue;
      const query = url.searchParams;
      const here = new URL(url);
      here.searchParams.delete('notice');
      here.searchParams.delete('error');
      const ctx: PageContext = {
        operator: session.operator,
        csrf: session.csrf,
        here: here.pathname + here.search,
        notice: noticeText(query.get('notice')),
        error: errorText(query.get('error')),
      };
      sendHtml(res, 200, page(ctx, await route(ctx, query, m)));
      return true;
    }
    return false;
  }

  async function serveArtifact(res: ServerResponse, artifactId: string): Promise<void> {
    const { artifact, bytes } = await readArtifact(deps, artifactId);
    const filename = artifact.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100) || artifact.id;
    // always a download, never rendered: evidence is agent-supplied content
    res
      .writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(bytes.length),
        'Content-Disposition': `attachment; filename="${filename}"`,
        'X-Content-Type-Options': 'nosniff',
        'X-Artifact-Sha256': artifact.sha256,
        'X-Artifact-Media-Type': artifact.mediaType,
        'Cache-Control': 'no-store',
      })
      .end(bytes);
  }

  async function serveAction(req: IncomingMessage, res: ServerResponse, session: ConsoleSession, name: string): Promise<void> {
    const json = wantsJson(req);
    if (!isActionName(name)) {
      req.resume();
      throw new FleetError('NOT_FOUND', `no console action ${name}`, 'use the buttons on the console pages');
    }
    // a fetch sends the token in a header and is refused before its body is read
    const header = req.headers['x-csrf-token'];
    if (header !== undefined && !auth.sessions.csrfMatches(session, String(header))) return csrfRefused(res, json);
    const form = await readForm(req);
    if (header === undefined && !auth.sessions.csrfMatches(session, form.get('_csrf') ?? undefined)) return csrfRefused(res, json);
    const back = localPath(form.get('back'));
    if (needsConfirmation(name, form)) {
      if (json) return sendJson(res, 428, { ok: false, error: { code: 'INVALID_INPUT', message: 'confirm this action first', hint: 'answer the confirmation dialog' } });
      return sendHtml(res, 200, confirmPage(name, form, back));
    }
    try {
      const message = await runAction(deps, { kind: 'operator', name: session.operator }, name, form);
      deps.logger.info({ operator: session.operator, action: name }, 'console action');
      if (json) return sendJson(res, 200, { ok: true, message });
      return redirect(res, withParams(back, { notice: name }));
    } catch (error) {
      if (!(error instanceof FleetError) || error.code === 'INTERNAL') throw error;
      if (json) return sendJson(res, httpStatusOf(error.code), { ok: false, error: { code: error.code, message: consoleHint(error.message), hint: consoleHint(error.hint) } });
      return redirect(res, withParams(back, { error: error.code, action: name satisfies ActionName }));
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await route(req, res);
    } catch (error) {
      if (error instanceof HttpRefusal) {
        if (wantsJson(req)) return sendJson(res, error.status, { ok: false, error: { code: error.status === 413 ? 'TOO_LARGE' : 'INVALID_INPUT', message: consoleHint(error.message), hint: consoleHint(error.hint) } });
        return sendHtml(res, error.status, errorPage(error.status, error.message, error.hint), error.status === 413 ? { Connection: 'close' } : {});
      }
      if (!(error instanceof FleetError) || error.code === 'INTERNAL') throw error;
      const status = httpStatusOf(error.code);
      if (wantsJson(req)) return sendJson(res, status, { ok: false, error: { code: error.code, message: consoleHint(error.message), hint: consoleHint(error.hint) } });
      sendHtml(res, status, errorPage(status, consoleHint(error.message)!, consoleHint(error.hint)));
    }
  }

  /** Every branch awaits its work, so each refusal reaches handle's catch as a 4xx. */
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const get = method === 'GET' || method === 'HEAD';

    const asset = ASSETS[path];
    if (asset && get) return sendAsset(res, asset.body, asset.type, asset.etag, req);
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    if (path === '/login' && get) return showLogin(auth, req, res, url.searchParams);
    if (path === '/login' && method === 'POST') return await handleLogin(auth, req, res);

    const session = await currentSession(auth, req);
    if (!session) {
      req.resume();
      if (get && path !== '/live' && !path.startsWith('/artifacts/')) return redirect(res, `/login?next=${encodeURIComponent(path + url.search)}`);
      return sendJson(res, 401, { ok: false, error: { code: 'NOT_REGISTERED', message: 'sign in first', hint: 'open /login' } });
    }
    if (path === '/logout' && method === 'POST') {
      const form = await readForm(req, 4096);
      if (!auth.sessions.csrfMatches(session, form.get('_csrf') ?? undefined)) return csrfRefused(res, false);
      return await endSession(auth, res, session);
    }
    if (path === '/live' && get) {
      if (!live.attach(res)) sendJson(res, 503, { ok: false, error: { code: 'BUSY', message: 'too many live streams', hint: 'close other console tabs' } });
      return;
    }
    const artifact = /^\/artifacts\/([^/]{1,100})$/.exec(path);
    if (artifact && get) {
      if (!/^art_[0-9a-z]{1,60}$/.test(artifact[1]!)) throw new FleetError('NOT_FOUND', `artifact ${artifact[1]!.slice(0, 80)} does not exist`);
      return await serveArtifact(res, artifact[1]!);
    }
    const action = /^\/actions\/([^/]{1,100})$/.exec(path);
    if (action && method === 'POST') return await serveAction(req, res, session, action[1]!);
    if (!get) {
      req.resume();
      return sendHtml(res, 405, errorPage(405, `${method} is not allowed at ${path}`), { Allow: 'GET' });
    }
    if (await serveView(req, res, session, url)) return;
    sendHtml(res, 404, errorPage(404, `Nothing at ${path}`));
  }

  return {
    handle,
    issueSignInCode: (operator) => auth.codes.issue(operator),
    liveStreams: () => live.count,
    writeMetrics(out) {
      out.single('fleetdeck_console_sign_in_failures_total', 'counter', 'Console sign-ins refused (unknown, revoked or agent token; used or expired code; missing form cookie).', auth.counters.signInFailures);
      out.single('fleetdeck_console_sign_in_rate_limited_total', 'counter', 'Console sign-in attempts answered 429 by the per-client limit.', auth.signInLimiter.limited);
    },
  };
}

function csrfRefused(res: ServerResponse, json: boolean): void {
  const message = 'missing or wrong CSRF token';
  if (json) return sendJson(res, 403, { ok: false, error: { code: 'FORBIDDEN', message, hint: 'reload the page and try again' } });
  sendHtml(res, 403, errorPage(403, message, 'Reload the page and try again.'));
}

function withParams(path: string, params: Record<string, string>): string {
  const url = new URL(path, 'http://console.invalid');
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.pathname + url.search + url.hash;
}
