/**
 * Issue 21 "less by hand": what hono (installed by the MCP SDK) would cost the console. Measures the
 * cold import of hono with the middleware the console would use against the console's own module,
 * and the time to serve one small HTML page with security headers and a cookie check, hono on
 * @hono/node-server against a plain node:http handler. Run: node --import tsx bench/console-hono.ts
 */
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const RUNS = 7;
const REQUESTS = 2000;

function coldImport(code: string): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `const t = performance.now(); ${code}; console.log(performance.now() - t);`], { encoding: 'utf8' });
    times.push(Number(out.trim().split('\n').pop()));
  }
  return median(times);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const PAGE = `<!doctype html><html><head><title>x</title></head><body>${'<p>row</p>'.repeat(200)}</body></html>`;
const HEADERS = {
  'Content-Security-Policy': "default-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Permissions-Policy': 'camera=()',
  'Cache-Control': 'no-store',
};

async function timeRequests(origin: string): Promise<number> {
  for (let i = 0; i < 200; i++) await (await fetch(`${origin}/agents`, { headers: { cookie: 'fleetdeck_session=abc' } })).text();
  const start = performance.now();
  for (let i = 0; i < REQUESTS; i++) await (await fetch(`${origin}/agents`, { headers: { cookie: 'fleetdeck_session=abc' } })).text();
  return ((performance.now() - start) / REQUESTS) * 1000;
}

async function plain(): Promise<number> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const ok = /(?:^|;\s*)fleetdeck_session=([^;]+)/.exec(req.headers.cookie ?? '');
    if (!ok || req.url !== '/agents') return void res.writeHead(404).end();
    res.writeHead(200, { ...HEADERS, 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const us = await timeRequests(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  server.close();
  return us;
}

async function hono(): Promise<number> {
  const { Hono } = await import('hono');
  const { getCookie } = await import('hono/cookie');
  const { secureHeaders } = await import('hono/secure-headers');
  const { csrf } = await import('hono/csrf');
  const { serve } = await import('@hono/node-server');
  const app = new Hono();
  app.use(secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'none'"] }, permissionsPolicy: { camera: [] } }));
  app.use(csrf());
  app.get('/agents', (c) => (getCookie(c, 'fleetdeck_session') ? c.html(PAGE, 200, { 'Cache-Control': 'no-store' }) : c.notFound()));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const us = await timeRequests(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  server.close();
  return us;
}

const honoImport = coldImport("await import('hono'); await import('hono/cookie'); await import('hono/secure-headers'); await import('hono/csrf'); await import('@hono/node-server')");
const consoleImport = coldImport("await import('./src/console/index.ts')");
const baseline = coldImport('await Promise.resolve()');
const plainUs = await plain();
const honoUs = await hono();
console.log(JSON.stringify({ runs: RUNS, requests: REQUESTS, cold_import_ms: { empty: +baseline.toFixed(1), hono_with_middleware: +honoImport.toFixed(1), console_module: +consoleImport.toFixed(1) }, page_us_per_request: { node_http: +plainUs.toFixed(0), hono_node_server: +honoUs.toFixed(0) } }, null, 2));
