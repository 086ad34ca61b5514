import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopesOverlap, type ClaimKind } from '../../src/domain/claim.js';
import { loadConfig } from '../../src/config.js';
import { openApp, type App } from '../../src/main.js';
import { silentLogger, tempDir } from '../helpers/app.js';
import { connectHttp, makeToken, type HttpClient, type ToolResult } from '../helpers/http.js';
import { createTestDatabase, postgresOrSkip, type TestDatabase } from '../helpers/postgres.js';
import { CLI, REPO_ROOT } from '../helpers/stdio.js';

const available = await postgresOrSkip('the multi-replica PostgreSQL test');
const run = promisify(execFile);

const RUNS = 24;
const WORKERS = 6;
const PATTERNS = ['src/**', 'src/api/*.ts', 'src/api/users.ts', 'test/*.ts', 'docs/**', 'src/db/**'];

interface Replica {
  child: ChildProcess;
  url: string;
}

/** `serve --http 127.0.0.1:0 --db URL`, its bound URL read from its JSON log on stderr. */
async function startReplica(db: string, dataDir: string): Promise<Replica> {
  const child = spawn(process.execPath, [CLI, 'serve', '--http', '127.0.0.1:0', '--db', db, '--data-dir', dataDir, '--sweep-seconds', '1'], {
    cwd: REPO_ROOT,
    env: { ...process.env, FLEETDECK_LOG_LEVEL: 'info', FLEETDECK_HTTP_RATE: '1000', FLEETDECK_HTTP_BURST: '1000' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      for (const line of stderr.split('\n')) {
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'fleetdeck serving over HTTP' && entry.url) resolve(entry.url);
        } catch {
          // a partial line
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}\n${stderr}`)));
  });
  return { child, url };
}

/**
 * SPEC §6 end to end: three `serve --http` replicas on one fresh PostgreSQL database, six workers
 * spread over them racing for overlapping exclusive claims and for the same queue, a coordinator
 * submitting every task twice on two replicas (idempotency across replicas), and one replica
 * SIGKILLed mid-run; its workers reconnect to a surviving replica with the same token and carry on.
 */
describe.skipIf(!available)('three HTTP replicas on one PostgreSQL database', () => {
  let db: TestDatabase;
  let tmp: ReturnType<typeof tempDir>;
  let app: App;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    tmp = tempDir();
    app = await openApp(loadConfig({ db: db.url, dataDir: tmp.dir, workspace: tmp.dir }, {}), { logger: silentLogger });
    for (let i = 0; i < 3; i++) replicas.push(await startReplica(db.url, tmp.dir));
  });
  afterAll(async () => {
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
    await Promise.all(replicas.map((r) => (r.child.exitCode === null && r.child.signalCode === null ? new Promise((ok) => r.child.once('exit', ok)) : null)));
    await app?.close();
    await db?.drop();
    tmp?.cleanup();
  });

  it('loses nothing acknowledged, completes no run twice, never grants overlapping exclusive claims, and the chain verifies', async () => {
    const coordinatorToken = await makeToken(app, { kind: 'agent', agent: 'coordinator', role: 'coordinator' });
    const workerTokens = await Promise.all(Array.from({ length: WORKERS }, (_, i) => makeToken(app, { kind: 'agent', agent: `worker-${i}`, role: 'builder' })));
    const dead = new Set<Replica>();
    const alive = () => replicas.filter((r) => !dead.has(r));

    // every task submitted twice with one key, on two different replicas: one run each
    const coord = [await connectHttp(replicas[0]!.url, coordinatorToken), await connectHttp(replicas[1]!.url, coordinatorToken)];
    const submitted = new Set<string>();
    for (let i = 0; i < RUNS; i++) {
      const args = { title: `task ${i}`, instructions: 'claim, then complete', to_role: 'builder', idempotency_key: `task-${i}` };
      const [a, b] = [await coord[0]!.ok<{ run_id: string }>('submit_task', args), await coord[1]!.ok<{ run_id: string; deduplicated: boolean }>('submit_task', args)];
      expect(b).toMatchObject({ run_id: a.run_id, deduplicated: true });
      submitted.add(a.run_id);
    }
    for (const c of coord) await c.close();

    const acknowledged = new Map<string, string>(); // run → worker whose submit_result was answered ok
    let killed = false;
    let reconnects = 0;
    const killOne = () => {
      if (killed) return;
      killed = true;
      dead.add(replicas[2]!);
      replicas[2]!.child.kill('SIGKILL');
    };

    async function worker(i: number): Promise<void> {
      let replica = replicas[i % 3]!;
      let client: HttpClient = await connectHttp(replica.url, workerTokens[i]!);
      /** one call; if its replica died, reconnect to a live one with the same token and retry */
      const call = async (name: string, args: Record<string, unknown> = {}): Promise<ToolResult> => {
        for (;;) {
          try {
            // a call in flight when its replica is killed never gets an answer: give up on it after a while
            return (await client.client.callTool({ name, arguments: args }, undefined, { timeout: 10_000 })) as ToolResult;
          } catch (error) {
            if (alive().includes(replica)) throw error;
            replica = alive()[i % alive().length]!;
            reconnects++;
            await client.close().catch(() => {});
            client = await connectHttp(replica.url, workerTokens[i]!);
          }
        }
      };
      for (let idle = 0; idle < 3; ) {
        // first what is already ours (a take whose answer died with its replica), then the queue
        const mine = (await call('list_runs', { owner: 'me', state: ['leased'] })).structuredContent as { runs: { run_id: string; lease_epoch: number }[] };
        let job = mine.runs[0] ?? null;
        if (!job) {
          const taken = (await call('take_task', { wait_seconds: 0.2 })).structuredContent as { run: { run_id: string; lease_epoch: number } | null };
          job = taken.run;
        }
        if (!job) {
          idle++;
          continue;
        }
        idle = 0;
        const pattern = PATTERNS[(i + job.run_id.charCodeAt(5)) % PATTERNS.length]!;
        await call('claim_scope', { scopes: [{ kind: 'path', pattern }], mode: 'exclusive', run_id: job.run_id });
        const result = await call('submit_result', { run_id: job.run_id, outcome: 'completed', summary: `done by worker-${i}`, lease_epoch: job.lease_epoch });
        if (!result.isError) acknowledged.set(job.run_id, `worker-${i}`);
        if (acknowledged.size >= RUNS / 3) killOne();
      }
      await client.close().catch(() => {});
    }
    await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
    expect(killed).toBe(true);
    // the killed replica's workers moved to a survivor with their tokens and worked on from there
    expect(reconnects).toBeGreaterThanOrEqual(1);

    // nothing acknowledged is lost, and every run finished exactly once
    const runs = await app.deps.store.read((tx) => tx.runs.list({ limit: 500 }));
    expect(new Set(runs.map((r) => r.id))).toEqual(submitted);
    for (const r of runs) expect(r.state).toBe('completed');
    for (const [runId] of acknowledged) expect(runs.find((r) => r.id === runId)?.state).toBe('completed');

    // replay the audit log in its (commit) order
    const events = await app.deps.store.read(async (tx) => {
      const all = [];
      for (let after = 0; ; ) {
        const page = await tx.events.list({ afterSeq: after, limit: 1000 });
        all.push(...page);
        if (page.length < 1000) return all;
        after = page[page.length - 1]!.seq;
      }
    });
    const completions = events.filter((e) => e.type === 'run.completed').map((e) => e.runId);
    expect(completions).toHaveLength(RUNS);
    expect(new Set(completions).size).toBe(RUNS);

    const active = new Map<string, { agent: string; workspace: string; kind: ClaimKind; pattern: string; mode: string }>();
    let granted = 0;
    for (const e of events) {
      if (e.type === 'claim.granted') {
        const c = { agent: e.agentId!, workspace: String(e.payload.workspace), kind: e.payload.kind as ClaimKind, pattern: String(e.payload.pattern), mode: String(e.payload.mode) };
        for (const other of active.values()) {
          const clash = other.agent !== c.agent && other.workspace === c.workspace && other.kind === c.kind && (other.mode === 'exclusive' || c.mode === 'exclusive');
          if (clash) expect(scopesOverlap(c.kind, c.pattern, other.pattern).overlap, `${c.pattern} granted to ${c.agent} while ${other.agent} held ${other.pattern}`).toBe(false);
        }
        active.set(e.subjectId!, c);
        granted++;
      } else if (e.type === 'claim.released' || e.type === 'claim.expired') {
        active.delete(e.subjectId!);
      }
    }
    expect(granted).toBeGreaterThan(0);

    // the chain verifies, through the CLI on the same URL
    const verify = await run(process.execPath, [CLI, 'audit', 'verify', '--db', db.url, '--json'], { cwd: REPO_ROOT });
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
  });
});
