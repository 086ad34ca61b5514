import type { ServerResponse } from 'node:http';

/** what a client is told to wait while the fleet database is unreachable */
export const RETRY_AFTER_SECONDS = 2;

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

export function plain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
}

/** Errors on /mcp in the shape the SDK's transport uses: a JSON-RPC error without an id. */
export function rpcError(res: ServerResponse, status: number, message: string, hint?: string): void {
  json(res, status, { jsonrpc: '2.0', error: { code: -32000, message, ...(hint ? { data: { hint } } : {}) }, id: null });
}

/** 503 with Retry-After: the request is fine, the database is not reachable right now. */
export function unavailable(res: ServerResponse, message: string, hint?: string): void {
  res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  rpcError(res, 503, message, hint);
}
