import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A load balancer as a team would put in front of replicas, reduced to what matters here: every
 * request goes to the next upstream in turn (round robin, no stickiness of any kind: not by
 * client connection, not by Mcp-Session-Id), a request that cannot even connect goes to the next
 * one (nginx's `proxy_next_upstream error`, which is safe for POST because nothing was sent), and
 * responses stream through (SSE). deploy/nginx.conf is the same policy for nginx.
 */
export interface RoundRobinProxy {
  url: string;
  origin: string;
  /** requests answered by each upstream, by its origin */
  served: Map<string, number>;
  /** SSE responses of GET requests open right now, by upstream origin (who holds a client's stream) */
  openStreams: Map<string, number>;
  /** initialize requests seen (a client that had to start over would send another) */
  initializes: number;
  setUpstreams(origins: string[]): void;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(upstreams: string[]): Promise<RoundRobinProxy> {
  let targets = [...upstreams];
  let next = 0;
  const served = new Map<string, number>();
  const openStreams = new Map<string, number>();
  const state = { initializes: 0 };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (body.includes('"method":"initialize"')) state.initializes++;
      const attempt = (tries: number) => {
        if (targets.length === 0 || tries >= targets.length) {
          if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' }).end('no upstream reachable\n');
          return;
        }
        const target = targets[next++ % targets.length]!;
        const upstream = request(
          new URL(req.url ?? '/', target),
          { method: req.method, headers: { ...req.headers, host: new URL(target).host }, agent: false },
          (up: IncomingMessage) => {
            served.set(target, (served.get(target) ?? 0) + 1);
            res.writeHead(up.statusCode ?? 502, up.headers);
            if (req.method === 'GET' && String(up.headers['content-type']).startsWith('text/event-stream')) {
              openStreams.set(target, (openStreams.get(target) ?? 0) + 1);
              res.once('close', () => openStreams.set(target, (openStreams.get(target) ?? 1) - 1));
            }
            up.pipe(res);
            up.on('error', () => res.destroy());
            res.on('close', () => up.destroy());
          },
        );
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          // nothing reached the upstream: the next one may take it
          if (error.code === 'ECONNREFUSED' && !res.headersSent) return attempt(tries + 1);
          if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`upstream failed: ${error.message}\n`);
          else res.destroy();
        });
        upstream.end(body);
      };
      attempt(0);
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/mcp`,
    origin,
    served,
    openStreams,
    get initializes() {
      return state.initializes;
    },
    setUpstreams(origins) {
      targets = [...origins];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
