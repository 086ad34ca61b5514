import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../../main.js';
import { FleetMetrics, PrometheusWriter, ToolCallMetrics, writeFleetFigures } from '../../services/metrics.js';
import type { AuthResult } from './auth.js';
import { plain } from './responses.js';

/** What this replica counts about its own traffic (each replica reports its own; Prometheus sums). */
export class HttpCounters {
  readonly requests = new Map<string, number>();
  rateLimited = 0;
  unauthorized = 0;
  sessionsOpened = 0;
  sessionsResumed = 0;

  response(route: string, status: number): void {
    const k = `${route} ${status}`;
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
  }
}

/** /metrics: the fleet's figures from the database, and this replica's tool calls and HTTP traffic. Operator token only. */
export function createMetricsEndpoint(app: App, authenticate: (req: IncomingMessage) => Promise<AuthResult>, counters: HttpCounters, localSessions: () => number, more: (out: PrometheusWriter) => void = () => {}) {
  const toolMetrics = new ToolCallMetrics();
  const fleetMetrics = new FleetMetrics(app.deps);
  return {
    toolMetrics,
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const identity = await authenticate(req);
      if (identity === null || identity === 'absent' || identity.kind !== 'operator') {
        res.setHeader('WWW-Authenticate', 'Bearer realm="fleetdeck"');
        return plain(res, identity !== null && identity !== 'absent' ? 403 : 401, '/metrics needs an operator token (fleetdeck token create --operator)\n');
      }
      const out = new PrometheusWriter();
      writeFleetFigures(out, await fleetMetrics.figures());
      toolMetrics.write(out);
      out.single('fleetdeck_http_sessions', 'gauge', 'MCP sessions this replica holds in memory (every session lives in the database).', localSessions());
      out.single('fleetdeck_http_sessions_opened_total', 'counter', 'MCP sessions opened (initialize) on this HTTP server.', counters.sessionsOpened);
      out.single('fleetdeck_http_sessions_resumed_total', 'counter', 'MCP sessions this replica took up from the database (started elsewhere, or before a restart).', counters.sessionsResumed);
      out.single('fleetdeck_http_rate_limited_total', 'counter', 'Requests answered 429 by the per-token rate limit.', counters.rateLimited);
      out.single('fleetdeck_http_unauthorized_total', 'counter', 'Requests answered 401 (no, unknown or revoked token).', counters.unauthorized);
      more(out); // the web console's counters (sign-in failures, rate limiting)
      out.family('fleetdeck_http_responses_total', 'counter', 'HTTP responses by route and status code.');
      for (const [k, n] of counters.requests) {
        const [route, status] = k.split(' ');
        out.sample('fleetdeck_http_responses_total', { route: route!, status: status! }, n);
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(out.text());
    },
  };
}
