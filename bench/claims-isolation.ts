/**
 * Issue 13 item 1, measured: a pathological claim request against held claims, decided three ways.
 *   before      — the old way: every pair compared synchronously (inside the write lock), no budget;
 *   incremental — this code: compile + comparisons metered and paced (services/claims/compare.ts);
 *   worker      — the same metered comparisons in a worker thread.
 * For each: time until the requester's answer, the longest event-loop stall (monitorEventLoopDelay)
 * and the worst latency of a bystander's whoami issued in a loop meanwhile. Also the cost of an
 * ordinary request each way. `node --import tsx bench/claims-isolation.ts`
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { scopesOverlap } from '../src/domain/claim.js';
import { openApp } from '../src/main.js';
import { registerAgent } from '../src/services/agents.js';
import { checkScope, claimScope } from '../src/services/claims/index.js';
import { CLAIM_WORK_BUDGET } from '../src/services/claims/budget.js';
import { describeSelf } from '../src/services/self.js';
import { fmtMs, table, tempDir } from './lib.js';

const held = Array.from({ length: 20 }, (_, i) => '*' + '[n-z]*'.repeat(160) + i);
/** the request ('**' + '/' x 300) no longer compiles; this one does and costs ~10^6 steps a pair */
const costly = Array.from({ length: 50 }, (_, i) => '**/'.repeat(60) + '*' + (i === 0 ? '' : `{${i},x}`));

/** A worker running claims-isolation-worker.ts through tsx (a worker does not inherit the loader on Node 20). */
function tsWorker(): Worker {
  const file = new URL('./claims-isolation-worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(file)}); })`, { eval: true });
}

interface Figures {
  answerMs: number;
  stallMs: number;
  bystanderWorstMs: number;
  bystanderCalls: number;
  outcome: string;
}

async function measure(run: () => Promise<string>, bystander: () => Promise<unknown>): Promise<Figures> {
  // the longest gap between two ticks of a 1 ms interval: how long the event loop was held
  let last = performance.now();
  let stall = 0;
  const ticker = setInterval(() => {
    const t = performance.now();
    stall = Math.max(stall, t - last);
    last = t;
  }, 1);
  let done = false;
  let worst = 0;
  let calls = 0;
  const started = performance.now();
  const loop = (async () => {
    while (!done) {
      const t = performance.now();
      await bystander();
      worst = Math.max(worst, performance.now() - t);
      calls++;
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  const outcome = await run().catch((e: { code?: string; message: string }) => e.code ?? e.message);
  const answerMs = performance.now() - started;
  done = true;
  await loop;
  clearInterval(ticker);
  stall = Math.max(stall, performance.now() - last);
  return { answerMs, stallMs: stall, bystanderWorstMs: worst, bystanderCalls: calls, outcome };
}

export async function benchClaimsIsolation(): Promise<string> {
  const tmp = tempDir();
  const config = loadConfig({ db: join(tmp.dir, 'fleet.db'), workspace: tmp.dir }, {});
  const app = await openApp(config, { sweep: false });
  const deps = app.deps;
  try {
    const alice = (await registerAgent(deps, { name: 'alice', role: 'implementer' })).agent.id;
    const bob = (await registerAgent(deps, { name: 'bob', role: 'implementer' })).agent.id;
    const carol = (await registerAgent(deps, { name: 'carol', role: 'implementer' })).agent.id;
    await claimScope(deps, alice, { scopes: held.map((pattern) => ({ kind: 'path' as const, pattern, mode: 'shared' as const })) });
    const whoami = () => describeSelf(deps, carol);
    const rows: (string | number)[][] = [];

    // before: the first 3 requested patterns only (the whole request would take ~1000 pairs × tens of ms)
    const before = await measure(async () => {
      let n = 0;
      for (const r of costly.slice(0, 3)) for (const p of held) if (scopesOverlap('path', r, p).overlap) n++;
      return `${n} conflicts (3 of 50 patterns)`;
    }, whoami);
    rows.push(['before: sync, in the lock, no budget', fmtMs(before.answerMs), fmtMs(before.stallMs), fmtMs(before.bystanderWorstMs), before.bystanderCalls, before.outcome]);

    const incremental = await measure(async () => {
      await claimScope(deps, bob, { scopes: costly.map((pattern) => ({ kind: 'path' as const, pattern })) });
      return 'granted?';
    }, whoami);
    rows.push(['incremental (this code)', fmtMs(incremental.answerMs), fmtMs(incremental.stallMs), fmtMs(incremental.bystanderWorstMs), incremental.bystanderCalls, incremental.outcome]);

    const repro = await measure(async () => {
      await checkScope(deps, { kind: 'agent', agentId: bob } as never, { scopes: Array.from({ length: 50 }, (_, i) => ({ kind: 'path' as const, pattern: '**/'.repeat(300) + '*' + i })) });
      return 'granted?';
    }, whoami);
    rows.push(["incremental, the issue's exact request", fmtMs(repro.answerMs), fmtMs(repro.stallMs), fmtMs(repro.bystanderWorstMs), repro.bystanderCalls, repro.outcome]);

    const worker = tsWorker();
    let nextId = 0;
    const inWorker = (requested: string[], heldPatterns: string[]) =>
      new Promise<{ conflicts?: number; error?: string }>((resolve) => {
        const id = nextId++;
        const onMessage = (m: { id: number; conflicts?: number; error?: string }) => {
          if (m.id !== id) return;
          worker.off('message', onMessage);
          resolve(m);
        };
        worker.on('message', onMessage);
        worker.postMessage({ id, kind: 'path', requested, held: heldPatterns, budget: CLAIM_WORK_BUDGET });
      });
    await inWorker(['src/**'], ['src/a.ts']); // start-up
    const viaWorker = await measure(async () => {
      const m = await inWorker(costly, held);
      return m.error ?? `${m.conflicts} conflicts`;
    }, whoami);
    rows.push(['worker thread', fmtMs(viaWorker.answerMs), fmtMs(viaWorker.stallMs), fmtMs(viaWorker.bystanderWorstMs), viaWorker.bystanderCalls, viaWorker.outcome]);

    // an ordinary request: 5 scopes against 20 ordinary held claims, each way, median of 200
    const ordinaryHeld = Array.from({ length: 20 }, (_, i) => `pkg${i}/src/**`);
    const ordinaryReq = Array.from({ length: 5 }, (_, i) => `pkg${i}/src/api/*.ts`);
    const median = async (fn: () => Promise<unknown> | unknown) => {
      const xs: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        await fn();
        xs.push(performance.now() - t);
      }
      return xs.sort((a, b) => a - b)[100]!;
    };
    const ordSync = await median(() => {
      for (const r of ordinaryReq) for (const p of ordinaryHeld) scopesOverlap('path', r, p);
    });
    const ordWorker = await median(() => inWorker(ordinaryReq, ordinaryHeld));
    await worker.terminate();
    const startWorker = performance.now();
    const cold = tsWorker();
    await new Promise((r) => cold.once('online', r));
    const coldMs = performance.now() - startWorker;
    await cold.terminate();

    return [
      '## Claims isolation (issue 13 item 1)',
      '',
      `20 held shared \`'*' + '[n-z]*' × 160 + i\`; request: 50 exclusive \`'**/' × 60 + '*' …\` (budget ${CLAIM_WORK_BUDGET.toLocaleString('en-US')} steps).`,
      '',
      table(['strategy', 'answer ms', 'longest event-loop stall ms', 'bystander whoami worst ms', 'bystander calls', 'outcome'], rows),
      '',
      `Ordinary request (5 × 20 pairs) median: in-thread ${fmtMs(ordSync)} ms, worker round trip ${fmtMs(ordWorker)} ms; a worker's start-up ${fmtMs(coldMs)} ms.`,
      '',
    ].join('\n');
  } finally {
    app.close();
    tmp.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchClaimsIsolation());
}
