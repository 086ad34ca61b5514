import type { IncomingMessage, ServerResponse } from 'node:http';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../../main.js';
import { identityKey, limiterKey } from '../../services/access-tokens.js';
import type { AuthResult } from './auth.js';
import { parseEventId, type StreamEventWriter } from './event-store.js';
import type { HttpCounters } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';
import { json, rpcError } from './responses.js';
import { resumeRequestStream } from './resume.js';
import type { LiveSession, SessionRegistry } from './sessions.js';
import { readBody, sendWebResponse, toWebRequest } from './web-bridge.js';

/** the SDK's id for a session's standalone (GET) stream */
const STANDALONE_STREAM = '_GET_stream';
/** an initialize request's params are stored with the session: they stay small */
const MAX_INITIALIZE_PARAMS_BYTES = 64 * 1024;

/** the SDK's transport sees the URL only as request info for handlers; the Host was checked already */
const ORIGIN = 'http://fleetdeck.local';

export interface McpEndpointOptions {
  maxBodyBytes: number;
  ratePerSecond: number;
  burst: number;
}

/**
 * /mcp, in order: bearer token → per-token rate limit → declared body size → session (this
 * replica's copy, or taken up from the database) → the SDK's transport, which reads the body itself
 * with the same size bound. Nothing reads a request body before its token is checked; only an
 * initialize (no session yet) is read here, to store it with the new session.
 */
export function createMcpEndpoint(
  app: App,
  options: McpEndpointOptions,
  authenticate: (req: IncomingMessage) => Promise<AuthResult>,
  limiter: RateLimiter,
  counters: HttpCounters,
  sessions: SessionRegistry,
  writer: StreamEventWriter,
) {
  async function serve(entry: LiveSession, req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
    entry.open++;
    entry.lastActive = Date.now();
    let streaming = false;
    res.once('close', () => {
      entry.open--;
      entry.lastActive = Date.now();
      if (streaming) entry.streams--;
    });
    const request = toWebRequest(req, ORIGIN, parsedBody !== undefined);
    const response = await entry.transport.handleRequest(request, parsedBody !== undefined ? { parsedBody } : undefined);
    if (req.method === 'GET' && response.status === 200 && !res.destroyed) {
      streaming = true;
      await sessions.streamOpened(entry);
    }
    const sent = await sendWebResponse(response, res);
    // a request's stream read to its end will not be resumed: its events need not be stored
    if (req.method === 'POST' && sent.complete && sent.streamId) writer.forget(entry.id, sent.streamId);
  }

  async function initialize(identity: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, options.maxBodyBytes);
    if (body === 'too-large') return rpcError(res, 413, `request body exceeds ${options.maxBodyBytes} bytes`, 'attach large evidence in parts');
    let message: unknown;
    try {
      message = JSON.parse(body);
    } catch {
      return json(res, 400, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: Invalid JSON' }, id: null });
    }
    if (!isInitializeRequest(message)) return rpcError(res, 400, 'Bad Request: Mcp-Session-Id header is required', 'initialize with a POST first');
    const params = message.params as unknown as Record<string, unknown>;
    if (JSON.stringify(params).length > MAX_INITIALIZE_PARAMS_BYTES) return rpcError(res, 400, `initialize params exceed ${MAX_INITIALIZE_PARAMS_BYTES} bytes`, 'send smaller client capabilities');
    const entry = await sessions.open(identity, params);
    if (entry === 'full') {
      res.setHeader('Retry-After', '5');
      return rpcError(res, 503, 'too many open MCP sessions in this fleet', 'close unused sessions (DELETE) or retry later');
    }
    await serve(entry, req, res, message);
    // the transport refused the initialize (a wrong Accept header, say): the client got no session id
    if (entry.transport.sessionId === undefined) await sessions.discard(entry.id);
  }

  return async function handleMcp(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
    if (typeof sessionId !== 'string') {
      if (req.method === 'POST') return initialize(key, req, res);
      return rpcError(res, 400, 'Mcp-Session-Id header is required', 'initialize with a POST first');
    }
    const entry = await sessions.resolve(sessionId);
    if (!entry) return json(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found', data: { hint: 'start a new MCP session (initialize)' } }, id: null });
    if (entry.identity !== key) return rpcError(res, 403, 'this MCP session belongs to another identity', 'use the token the session was started with, or start a new session');
    const lastEventId = req.headers['last-event-id'];
    if (req.method === 'GET' && typeof lastEventId === 'string') {
      const at = parseEventId(lastEventId);
      if (at && at.streamId !== STANDALONE_STREAM) {
        entry.open++;
        res.once('close', () => entry.open--);
        return resumeRequestStream(app.deps, writer, res, entry.id, at.streamId, at.key);
      }
    }
    return serve(entry, req, res);
  };
}
