import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/**
 * node:http ↔ the Fetch API, for the SDK's web-standard transport (what the SDK's own node wrapper
 * does through @hono/node-server). Used directly because a replica must also hand the transport
 * requests that never came over a socket: the initialize it replays to take up a session another
 * replica started (sessions.ts).
 */
export function toWebRequest(req: IncomingMessage, origin: string, bodyAlreadyRead = false): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers };
  if (req.method !== 'GET' && req.method !== 'HEAD' && !bodyAlreadyRead) {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  return new Request(new URL(req.url ?? '/', origin), init);
}

/**
 * Writes `response` to `res`, streaming its body (SSE) until it ends or the client goes away.
 * `complete` when the whole body went out (the client did not leave first); `streamId` is the
 * stream named by the first SSE event id (`<stream id>/<key>`, event-store.ts), if any.
 */
export async function sendWebResponse(response: Response, res: ServerResponse): Promise<{ complete: boolean; streamId: string | null }> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return { complete: true, streamId: null };
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  // the client left: cancelling tells the transport its stream is gone
  res.once('close', () => void reader.cancel().catch(() => {}));
  let complete = false;
  let streamId: string | null = null;
  let head = '';
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.destroyed) res.write(value);
      if (streamId === null && head.length < 4096) {
        head += decoder.decode(value, { stream: true });
        streamId = /^id: ([^/\n]+)\//m.exec(head)?.[1] ?? null;
      }
    }
    complete = !res.destroyed;
  } catch {
    // the stream was cancelled under us (the client left): nothing more to write
  } finally {
    if (!res.writableEnded) res.end();
  }
  return { complete, streamId };
}

/** A request the replica makes to its own transport (no socket behind it). */
export function localRequest(origin: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(new URL('/mcp', origin), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

/** The request body, or 'too-large' past `max` bytes (reading stops there). */
export async function readBody(req: AsyncIterable<Buffer>, max: number): Promise<string | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > max) return 'too-large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
