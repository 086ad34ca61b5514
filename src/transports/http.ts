import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { App } from '../main.js';
import { createServer, type FleetServer, type ServerEnv } from '../mcp/server.js';
import { Session } from '../mcp/session.js';
import { authenticateBearer, identityKey, limiterKey, recordTokenUse, type BearerIdentity } from '../services/access-tokens.js';
import { FleetMetrics, PrometheusWriter, ToolCallMetrics, writeFleetFigures } from '../services/metrics.js';
import { FleetError } from '../domain/errors.js';
import { VERSION } from '../version.js';
import { createGuard, type OriginGuard } from './http/guard.js';
import { RateLimiter } from './http/rate-limit.js';
import type { HttpSettings } from './http/settings.js';
import { lastEventSeq } from '../services/audit.js';
import { createWebConsole, type WebConsole, type WebConsoleOptions } from '../console/index.js';

/**
 * Streamable HTTP: one shared server for a team. Every request carries a bearer token naming an
 * agent or an operator; identity comes from that token on every request, never from the MCP
 * session id. Each MCP session gets its own McpServer and transport, all sharing the process's
 * services and database (the same `App` the stdio transport uses).
 *
 * Request path, in order: Host/Origin check (DNS rebinding) → route (/healthz, /metrics, /mcp) →
 * bearer token → per-token rate limit → declared body size → session → the SDK transport, which
 * reads the body itself with the same size bound. Nothing reads a request body before its token
 * is checked. (The SDK's createMcpExpressApp parses every JSON body, at a fixed 100 kB limit, before
 * any middleware could check a token; that order and that limit do not fit a shared server that
 * takes inline evidence, so this front door is plain node:http with the SDK's Host rule.)
 */
export interface HttpServerOptions extends HttpSettings {
  host: string;
  port: number;
  /**
   * Called with each new MCP session's server after the product's tools are registered. No CLI
   * flag sets it; tests use it to mount the conformance suite's fixtures (see test/helpers/http.ts).
   */
  onSession?: (server: FleetServer, env: ServerEnv) => void;
  /** monotonic milliseconds for the rate limiter (tests drive it) */
  monotonicNow?: () => number;
  /** the operator's web console at / (src/console); false leaves it out */
  console?: WebConsoleOptions | false;
}

export interface HttpServerHandle {
  url: string;
  /** base URL without the /mcp path */
  origin: string;
  port: number;
  sessions(): number;
  /** the web console, when mounted (it issues `fleetdeck console`'s one-time sign-in codes) */
  console: WebConsole | null;
  close(): Promise<void>;
}

interface SessionEntry {
  transport: StreamableHTTPServerTransport;
  server: FleetServer;
  key: string;
  lastActive: number;
  open: number;
}

type Identity = BearerIdentity;

/** The request handler of the HTTP transport, without a listening socket (startHttpServer adds one). */
export interface HttpHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  sessions(): number;
  /** the web console, when mounted */
  console: WebConsole | null;
  /** closes every MCP session and stops the idle reaper */
  close(): void;
}

const MAX_SESSIONS_PER_IDENTITY = 16;
const TOKEN_USE_RECORD_MS = 60_000;
/** what a client is told to wait while the fleet database is unreachable */
const RETRY_AFTER_SECONDS = 2;

export function createHttpHandler(app: App, options: Omit<HttpServerOptions, 'port'>): HttpHandler {
  const guard: OriginGuard = createGuard(options.host, options.allowedHosts, options.allowedOrigins);
  const log = app.deps.logger.child({ transport: 'http' });
  const limiter = new RateLimiter(options.ratePerSecond, options.burst, options.monotonicNow);
  const toolMetrics = new ToolCallMetrics();
  const fleetMetrics = new FleetMetrics(app.deps);
  const counters = { requests: new Map<string, number>(), rateLimited: 0, unauthorized: 0, sessionsOpened: 0 };
  const sessions = new Map<string, SessionEntry>();
  const tokenUseRecorded = new Map<string, number>();
  const now = () => Date.now();
  const webConsole = options.console === false ? null : createWebConsole(app, options.console);

  function closeSession(id: string, reason: string): void {
    const entry = sessions.get(id);
    if (!entry) return;
    sessions.delete(id);
    void entry.server.dispose();
    void entry.transport.close().catch(() => {});
    log.debug({ session: id, reason }, 'MCP session closed');
  }

  function newSession(identity: Identity, key: string): SessionEntry {
    // a client that restarts without DELETE leaves sessions behind: keep the newest few per identity
    const mine = [...sessions].filter(([, e]) => e.key === key).sort(([, a], [, b]) => a.lastActive - b.lastActive);
    for (const [id] of mine.slice(0, Math.max(0, mine.length - MAX_SESSIONS_PER_IDENTITY + 1))) closeSession(id, 'per-identity limit');
    const session = new Session(false);
    let toolset: ServerEnv['toolset'] = 'agent';
    if (identity.kind === 'agent') session.bindAgent(identity.agentId);
    else if (identity.kind === 'operator') {
      session.bindOperator(identity.name);
      toolset = 'operator';
    }
    const env: ServerEnv = {
      deps: app.deps,
      feed: app.feed,
      session,
      toolset,
      version: VERSION,
      onToolCall: (tool, outcome, ms) => toolMetrics.record(tool, outcome, ms),
    };
    const server = createServer(env);
    options.onSession?.(server, env);
    const entry: SessionEntry = { server, key, lastActive: now(), open: 0, transport: undefined as unknown as StreamableHTTPServerTransport };
    entry.transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: options.maxBodyBytes,
      onsessioninitialized: (id) => {
        sessions.set(id, entry);
        counters.sessionsOpened++;
        log.debug({ session: id, identity: key }, 'MCP session opened');
      },
    });
    entry.transport.onclose = () => {
      const id = entry.transport.sessionId;
      if (id && sessions.get(id) === entry) {
        sessions.delete(id);
        void entry.server.dispose();
      }
    };
    return entry;
  }

  async function authenticate(req: IncomingMessage): Promise<Identity | null | 'absent'> {
    const header = req.headers.authorization;
    if (!header) return 'absent';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return null;
    const identity = await authenticateBearer(app.deps, m[1]!);
    if (identity?.tokenId) {
      const last = tokenUseRecorded.get(identity.tokenId) ?? 0;
      if (now() - last >= TOKEN_USE_RECORD_MS) {
        tokenUseRecorded.set(identity.tokenId, now());
        recordTokenUse(app.deps, identity.tokenId).catch((error: unknown) => log.warn({ err: error }, 'could not record token use'));
      }
    }
    return identity;
  }

  async function handleMcp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const identity = await authenticate(req);
    if (identity === null || identity === 'absent') {
      counters.unauthorized++;
      res.setHeader('WWW-Authenticate', 'Bearer realm="fleetdeck"');
      return rpcError(res, 401, identity === 'absent' ? 'missing bearer token' : 'invalid or revoked bearer token', 'send Authorization: Bearer <token> (fleetdeck token create)');
    }
    const key = identityKey(identity);
    const limit = limiter.take(limiterKey(identity));
    if (!limit.ok) {
      counters.rateLimited++;
      res.setHeader('Retry-After', String(limit.retryAfterSeconds));
      return rpcError(res, 429, `rate limit: at most ${options.ratePerSecond} requests/s per token (burst ${options.burst})`, `retry after ${limit.retryAfterSeconds}s`);
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > options.maxBodyBytes) return rpcError(res, 413, `request body of ${declared} bytes exceeds ${options.maxBodyBytes}`, 'attach large evidence in parts');

    const sessionId = req.headers['mcp-session-id'];
    let entry: SessionEntry | undefined;
    if (typeof sessionId === 'string') {
      entry = sessions.get(sessionId);
      if (!entry) return rpcError(res, 404, 'session not found', 'start a new MCP session (initialize)');
      if (entry.key !== key) return rpcError(res, 403, 'this MCP session belongs to another identity', 'use the token the session was started with, or start a new session');
    } else if (req.method === 'POST') {
      if (sessions.size >= options.maxSessions) {
        res.setHeader('Retry-After', '5');
        return rpcError(res, 503, 'too many open MCP sessions on this server', 'close unused sessions (DELETE) or retry later');
      }
      entry = newSession(identity, key);
      await entry.server.mcp.connect(entry.transport);
    } else {
      return rpcError(res, 400, 'Mcp-Session-Id header is required', 'initialize with a POST first');
    }
    const current = entry;
    current.open++;
    current.lastActive = now();
    res.on('close', () => {
      current.open--;
      current.lastActive = now();
    });
    await current.transport.handleRequest(req, res);
    // a POST without a session that was not an initialize request: the transport refused it
    if (typeof sessionId !== 'string' && current.transport.sessionId === undefined) {
      void current.server.dispose();
      void current.transport.close().catch(() => {});
    }
  }

  async function handleHealth(res: ServerResponse): Promise<void> {
    try {
      const lastSeq = await lastEventSeq(app.deps);
      json(res, 200, { status: 'ok', version: VERSION, schema_version: await app.deps.store.schemaVersion(), last_event_seq: lastSeq, sessions: sessions.size });
    } catch (error) {
      log.error({ err: error }, 'health check failed');
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      json(res, 503, { status: 'error', version: VERSION, error: 'database unavailable' });
    }
  }

  async function handleMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const identity = await authenticate(req);
    if (identity === null || identity === 'absent' || identity.kind !== 'operator') {
      res.setHeader('WWW-Authenticate', 'Bearer realm="fleetdeck"');
      return plain(res, identity !== null && identity !== 'absent' ? 403 : 401, '/metrics needs an operator token (fleetdeck token create --operator)\n');
    }
    const out = new PrometheusWriter();
    writeFleetFigures(out, await fleetMetrics.figures());
    toolMetrics.write(out);
    out.single('fleetdeck_http_sessions', 'gauge', 'Open MCP sessions on this HTTP server.', sessions.size);
    out.single('fleetdeck_http_sessions_opened_total', 'counter', 'MCP sessions opened on this HTTP server.', counters.sessionsOpened);
    out.single('fleetdeck_http_rate_limited_total', 'counter', 'Requests answered 429 by the per-token rate limit.', counters.rateLimited);
    out.single('fleetdeck_http_unauthorized_total', 'counter', 'Requests answered 401 (no, unknown or revoked token).', counters.unauthorized);
    webConsole?.writeMetrics(out);
    out.family('fleetdeck_http_responses_total', 'counter', 'HTTP responses by route and status code.');
    for (const [k, n] of counters.requests) {
      const [route, status] = k.split(' ');
      out.sample('fleetdeck_http_responses_total', { route: route!, status: status! }, n);
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(out.text());
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = path === '/mcp' || path === '/healthz' || path === '/metrics' ? path : 'other';
    res.on('finish', () => {
      const k = `${route} ${res.statusCode}`;
      counters.requests.set(k, (counters.requests.get(k) ?? 0) + 1);
    });
    const refused = guard.check(req);
    if (refused) return rpcError(res, 403, refused, 'DNS-rebinding protection: see --http-allowed-hosts and --http-allowed-origins');
    if (path === '/mcp') return handleMcp(req, res);
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) return handleHealth(res);
    if (path === '/metrics' && req.method === 'GET') return handleMetrics(req, res);
    if (webConsole) return webConsole.handle(req, res);
    return json(res, 404, { error: 'not found', endpoints: ['/mcp', '/healthz', '/metrics'] });
  }

  const reaper = setInterval(
    () => {
      const cutoff = now() - options.sessionIdleSeconds * 1000;
      for (const [id, entry] of sessions) if (entry.open <= 0 && entry.lastActive < cutoff) closeSession(id, 'idle');
      limiter.prune();
    },
    Math.min(60_000, options.sessionIdleSeconds * 500),
  );
  reaper.unref();

  return {
    async handle(req, res) {
      try {
        await handle(req, res);
      } catch (error) {
        if (error instanceof FleetError && error.code === 'BUSY') {
          // the database is unreachable (or kept aborting): nothing is wrong with the request
          log.warn({ err: error, url: req.url, method: req.method }, 'HTTP request refused: fleet database unavailable');
          if (!res.headersSent) {
            res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
            rpcError(res, 503, error.message, error.hint);
          } else res.end();
          return;
        }
        log.error({ err: error, url: req.url, method: req.method }, 'HTTP request failed');
        if (!res.headersSent) rpcError(res, 500, 'internal error', 'retry once; if it persists, report it to the operator');
        else res.end();
      }
    },
    sessions: () => sessions.size,
    console: webConsole,
    close() {
      clearInterval(reaper);
      for (const id of [...sessions.keys()]) closeSession(id, 'server closing');
    },
  };
}

/** The HTTP transport listening on `options.host`:`options.port` (0: an ephemeral port). */
export async function startHttpServer(app: App, options: HttpServerOptions): Promise<HttpServerHandle> {
  return listen(createHttpHandler(app, options), options.host, options.port);
}

/**
 * Serves `handler` on a socket. Exported for tests, which put their own front in between (the
 * conformance run lets its anonymous loopback client in with a token; see test/helpers/http.ts).
 */
export async function listen(handler: HttpHandler, host: string, port: number, front?: (req: IncomingMessage) => void): Promise<HttpServerHandle> {
  const server: Server = createHttpServer((req, res) => {
    front?.(req);
    void handler.handle(req, res);
  });
  server.requestTimeout = 0; // SSE streams and long polls stay open; idle sessions are reaped by the handler

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${hostInUrl}:${bound}`;

  return {
    url: `${origin}/mcp`,
    origin,
    port: bound,
    sessions: () => handler.sessions(),
    console: handler.console,
    async close() {
      handler.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

function plain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
}

/** Errors on /mcp in the shape the SDK's transport uses: a JSON-RPC error without an id. */
function rpcError(res: ServerResponse, status: number, message: string, hint?: string): void {
  json(res, status, { jsonrpc: '2.0', error: { code: -32000, message, ...(hint ? { data: { hint } } : {}) }, id: null });
}
