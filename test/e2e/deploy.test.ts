/**
 * The deployment example (deploy/) exercised with processes on this machine: replicas started with
 * the systemd unit's own ExecStart line and environment file, behind a proxy with nginx.conf's
 * policy (round robin, no stickiness, the next replica when one refuses the connection), one real
 * SDK client's session through it while a replica is killed, and one replica's database link cut
 * and restored (/readyz 503 then 200, /healthz 200 throughout, the process never exits).
 */
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openApp, type App } from '../../src/main.js';
import { silentLogger, tempDir } from '../helpers/app.js';
import { connectHttp, makeToken, MCP_HEADERS, rawRequest } from '../helpers/http.js';
import { createTestDatabase, postgresOrSkip, type TestDatabase } from '../helpers/postgres.js';
import { startReplica, type ReplicaProcess } from '../helpers/replicas.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { REPO_ROOT } from '../helpers/stdio.js';

const available = await postgresOrSkip('the deployment example test');

/** `serve` arguments and environment of deploy/systemd, for the instance `port` with `db`. */
function unitCommand(db: string, dataDir: string): { args: string[]; env: Record<string, string> } {
  const unit = readFileSync(join(REPO_ROOT, 'deploy/systemd/fleetdeck@.service'), 'utf8');
  const execStart = /^ExecStart=(.+)$/m.exec(unit)![1]!.trim().split(/\s+/);
  expect(execStart.slice(0, 2)).toEqual(['/usr/bin/fleetdeck', 'serve']);
  const args = execStart.slice(2).map((a) => a.replace('${FLEETDECK_DB}', db).replace('127.0.0.1:%i', '127.0.0.1:0').replace('/var/lib/fleetdeck/%i', dataDir));
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(REPO_ROOT, 'deploy/systemd/fleetdeck.env'), 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  env.FLEETDECK_DB = db;
  return { args, env: { ...env, FLEETDECK_HTTP_RATE: '1000', FLEETDECK_HTTP_BURST: '1000' } };
}

/** A TCP link to PostgreSQL that the test can cut (every connection dropped, new ones refused) and restore. */
async function cuttableLink(target: { host: string; port: number }): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  const shut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      server.close(() => resolve());
    });
  await open();
  return { port, cut: shut, restore: open, close: shut };
}

describe.skipIf(!available)('the deployment example: replicas from deploy/systemd behind a round-robin proxy', () => {
  let db: TestDatabase;
  let tmp: ReturnType<typeof tempDir>;
  let app: App;
  let proxy: RoundRobinProxy;
  const replicas: ReplicaProcess[] = [];
  const links: Awaited<ReturnType<typeof cuttableLink>>[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    tmp = tempDir();
    app = await openApp(loadConfig({ db: db.url, dataDir: tmp.dir, workspace: tmp.dir }, {}), { logger: silentLogger });
    const pgUrl = new URL(db.url);
    for (let i = 0; i < 3; i++) {
      const link = await cuttableLink({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
      links.push(link);
      const viaLink = new URL(db.url);
      viaLink.port = String(link.port);
      const { args, env } = unitCommand(viaLink.toString(), join(tmp.dir, `replica-${i}`));
      replicas.push(await startReplica(args, env));
    }
    proxy = await startRoundRobinProxy(replicas.map((r) => r.origin));
  });
  afterAll(async () => {
    await proxy?.close();
    await Promise.all(replicas.map((r) => r.stop()));
    for (const l of links) await l.close().catch(() => {});
    await app?.close();
    await db?.drop();
    tmp?.cleanup();
  });

  it('keeps nginx.conf a plain round robin: no stickiness, the next replica on a refused connection', () => {
    const conf = readFileSync(join(REPO_ROOT, 'deploy/nginx.conf'), 'utf8').replace(/#.*$/gm, '');
    expect(conf).not.toMatch(/\b(ip_hash|sticky|hash)\b/);
    expect(conf).toMatch(/proxy_next_upstream error;/);
    expect(conf).toMatch(/proxy_buffering off;/);
  });

  it('serves one client\'s session on every replica, and a killed replica costs it no new initialize', async () => {
    const token = await makeToken(app, { kind: 'agent', agent: 'deployed', role: 'implementer' });
    const c = await connectHttp(proxy.url, token);
    const sessionId = c.transport.sessionId;
    const run = await c.ok<{ run_id: string }>('start_run', { title: 'through the proxy' });
    for (let i = 0; i < 6; i++) await c.ok('heartbeat', { status: 'working' });
    for (const r of replicas) expect(proxy.served.get(r.origin) ?? 0).toBeGreaterThan(0);

    await replicas[1]!.kill9();
    for (let i = 0; i < 6; i++) await c.ok('heartbeat', { status: 'working', note: `after the kill ${i}` });
    const mine = await c.ok<{ runs: { run_id: string }[] }>('list_runs', { owner: 'me' });
    expect(mine.runs.map((r) => r.run_id)).toContain(run.run_id);
    expect(c.transport.sessionId).toBe(sessionId);
    expect(proxy.initializes).toBe(1);
    await c.close();
  });

  it('answers /readyz 503 (and /mcp 503 with Retry-After) while its database is unreachable, /healthz 200 throughout, and serves again once it is back', async () => {
    const replica = replicas[2]!;
    const link = links[2]!;
    const token = await makeToken(app, { kind: 'agent', agent: 'patient', role: 'implementer' });
    const direct = await connectHttp(replica.url, token);
    expect((await fetch(`${replica.origin}/readyz`)).status).toBe(200);

    await link.cut();
    const ready = await fetch(`${replica.origin}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('2');
    expect((await fetch(`${replica.origin}/healthz`)).status).toBe(200);
    // the token cannot even be checked: 503 with Retry-After, not 500
    const refused = await rawRequest(replica.url, { headers: { ...MCP_HEADERS, Authorization: `Bearer ${token}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }) });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    await expect(direct.client.callTool({ name: 'whoami', arguments: {} }, undefined, { timeout: 20_000 })).rejects.toThrow(/503|unreachable/);

    await link.restore();
    const back = Date.now();
    while ((await fetch(`${replica.origin}/readyz`)).status !== 200) {
      expect(Date.now() - back, 'ready again within 10 s of the database').toBeLessThan(10_000);
      await sleep(50);
    }
    console.log(`deploy: replica ready ${Date.now() - back} ms after its database link came back`);
    expect((await direct.ok<{ kind: string }>('whoami')).kind).toBe('agent');
    expect(replica.exit).toBeNull();
    await direct.close();
  });
});
