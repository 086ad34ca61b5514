import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../main.js';
import type { FleetServer, ServerEnv } from '../mcp/server.js';
import { FleetError } from '../domain/errors.js';
import { createAuthenticator } from './http/auth.js';
import { StreamEventWriter } from './http/event-store.js';
import { createGuard, type OriginGuard } from './http/guard.js';
import { createHealth } from './http/health.js';
import { createMcpEndpoint } from './http/mcp.js';
import { createMetricsEndpoint, HttpCounters } from './http/metrics.js';
import { RateLimiter } from './http/rate-limit.js';
import { startReaper } from './http/reaper.js';
import { json, rpcError, unavailable } from './http/responses.js';
import { createSessionRegistry } from './http/sessions.js';
import type { HttpSettings } from './http/settings.js';
import { createWebConsole, type WebConsole, type WebConsoleOptions } from '../console/index.js';

/**
 * Streamable HTTP: one shared server for a team, and any number of replicas of it on one database.
 * Every request carries a bearer token naming an agent or an operator; identity comes from that
 * token on every request, never from the MCP session id. MCP sessions live in the database
 * (http/sessions.ts): any replica serves any request of any session, so a load balancer needs no
 * stickiness and a replica's death costs its clients no new initialize.
 *
 * Request path, in order: Host/Origin check (DNS rebinding) → route (/healthz, /readyz, /metrics,
 * /mcp, else the console) → for /mcp (http/mcp.ts): bearer token → per-token rate limit → declared
 * body size → session → the SDK transport, which reads the body itself with the same size bound.
 * Nothing reads a request body before its token is checked. (The SDK's createMcpExpressApp parses
 * every JSON body, at a fixed 100 kB limit, before any middleware could check a token; that order and that limit do not fit a shared server that
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

/** The request handler of the HTTP transport, without a listening socket (startHttpServer adds one). */
export interface HttpHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** MCP sessions this replica holds in memory (every session lives in the database) */
  sessions(): number;
  /** the web console, when mounted */
  console: WebConsole | null;
  /** drops this replica's session copies, stops the reaper and writes pending stream events */
  close(): Promise<void>;
}

const ENDPOINTS = ['/mcp', '/healthz', '/readyz', '/metrics'];

export function createHttpHandler(app: App, options: Omit<HttpServerOptions, 'port'>): HttpHandler {
  const guard: OriginGuard = createGuard(options.host, options.allowedHosts, options.allowedOrigins);
  const log = app.deps.logger.child({ transport: 'http' });
  const limiter = new RateLimiter(options.ratePerSecond, options.burst, options.monotonicNow);
  const counters = new HttpCounters();
  const authenticate = createAuthenticator(app, log);
  const writer = new StreamEventWriter(app.deps, log);
  let sessionCount = () => 0;
  const metrics = createMetricsEndpoint(app, authenticate, counters, () => sessionCount(), (out) => webConsole?.writeMetrics(out));
  const sessions = createSessionRegistry(app, options, log, counters, writer, metrics.toolMetrics);
  sessionCount = sessions.size;
  const health = createHealth(app, log, sessions.size);
  const handleMcp = createMcpEndpoint(app, options, authenticate, limiter, counters, sessions, writer);
  const stopReaper = startReaper(app, log, sessions, limiter, options.sessionIdleSeconds);
  const webConsole = options.console === false ? null : createWebConsole(app, options.console);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = ENDPOINTS.includes(path) ? path : 'other';
    res.on('finish', () => counters.response(route, res.statusCode));
    const refused = guard.check(req);
    if (refused) return rpcError(res, 403, refused, 'DNS-rebinding protection: see --http-allowed-hosts and --http-allowed-origins');
    if (path === '/mcp') return handleMcp(req, res);
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) return health.live(res);
    if (path === '/readyz' && (req.method === 'GET' || req.method === 'HEAD')) return health.ready(res);
    if (path === '/metrics' && req.method === 'GET') return metrics.handle(req, res);
    if (webConsole) return webConsole.handle(req, res);
    return json(res, 404, { error: 'not found', endpoints: ENDPOINTS });
  }

  return {
    async handle(req, res) {
      try {
        await handle(req, res);
      } catch (error) {
        if (error instanceof FleetError && error.code === 'BUSY') {
          // the database is unreachable (or kept aborting): nothing is wrong with the request
          log.warn({ err: error, url: req.url, method: req.method }, 'HTTP request refused: fleet database unavailable');
          if (!res.headersSent) unavailable(res, error.message, error.hint);
          else res.end();
          return;
        }
        log.error({ err: error, url: req.url, method: req.method }, 'HTTP request failed');
        if (!res.headersSent) rpcError(res, 500, 'internal error', 'retry once; if it persists, report it to the operator');
        else res.end();
      }
    },
    sessions: sessions.size,
    console: webConsole,
    async close() {
      stopReaper();
      sessions.close();
      await writer.flush();
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
      await handler.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
