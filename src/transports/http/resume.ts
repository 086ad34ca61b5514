import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deps } from '../../services/deps.js';
import { streamEventsAfter } from '../../services/mcp-sessions.js';
import type { StreamEventWriter } from './event-store.js';

/** how often a resumed request stream looks for the messages its request still owes */
const POLL_MS = 200;
/** a resumed stream with nothing new this long is ended (the client may resume it again) */
const IDLE_MS = 30_000;
const KEEPALIVE_MS = 15_000;
const PAGE = 500;

/**
 * Resumes the SSE stream of a request (Last-Event-ID naming a POST's stream) on any replica: the
 * messages stored after that id, then whatever the replica serving the request stores later, until
 * the request's response has gone out. The SDK's own replay serves only the replica that holds the
 * request; this one reads the database, so it serves a client that the load balancer (or a dead
 * replica) sent elsewhere. The standalone GET stream is resumed by the SDK (sessions.ts).
 */
export async function resumeRequestStream(deps: Deps, writer: StreamEventWriter, res: ServerResponse, sessionId: string, streamId: string, afterKey: string): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'mcp-session-id': sessionId });
  res.flushHeaders();
  let closed = false;
  res.once('close', () => (closed = true));
  let after = afterKey;
  let lastNews = Date.now();
  let lastWrite = Date.now();
  try {
    while (!closed) {
      await writer.flush();
      const page = await streamEventsAfter(deps, sessionId, streamId, after, PAGE);
      let answered = false;
      for (const e of page) {
        res.write(`event: message\nid: ${streamId}/${e.eventKey}\ndata: ${e.message}\n\n`);
        after = e.eventKey;
        const message = JSON.parse(e.message) as { id?: unknown; result?: unknown; error?: unknown };
        if (message.id !== undefined && (message.result !== undefined || message.error !== undefined)) answered = true;
      }
      const now = Date.now();
      if (page.length > 0) lastNews = lastWrite = now;
      if (answered || now - lastNews > IDLE_MS) break;
      if (now - lastWrite > KEEPALIVE_MS) {
        res.write(': keepalive\n\n');
        lastWrite = now;
      }
      if (page.length < PAGE) await sleep(POLL_MS);
    }
  } finally {
    // the database went away mid-stream too: end it; the client resumes again from its last id
    if (!res.writableEnded) res.end();
  }
}
