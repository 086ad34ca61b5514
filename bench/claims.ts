/**
 * claim_scope's cost as the number of active claims grows (10, 1,000, 10,000), each against
 * baselines measured in the same run: the same call with 10 active claims, and the protocol's
 * `ping` on the same connection.
 *
 * Claims are seeded through the service layer (claimScope, 50 scopes per call) by 20 holders,
 * each with its own literal prefix (`pkgA/modB/partJ/…`, spread over 50 × 40 directories). The
 * measured calls go through a real SDK Client over stdio to the built server:
 *  - granted: a new pattern in a busy directory (`pkgA/modB/newI/**`) that overlaps nothing; it is
 *    released again (not timed) so the count stays put;
 *  - conflict: `pkgA/modB/partJ/*.ts`, which overlaps exactly the one claim seeded there (the same
 *    work at every size); the answer names it with its holder and a witness.
 * Run standalone: `npm run build && node --import tsx bench/claims.ts`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { openApp } from '../src/main.js';
import { registerAgent } from '../src/services/agents.js';
import { scopesOverlap } from '../src/domain/claim.js';
import { checkScope, claimScope } from '../src/services/claims/index.js';
import type { Deps } from '../src/services/deps.js';
import { readTx } from '../src/services/tx.js';
import { fmtInt, fmtMs, fmtRatio, sample, spawnClient, stats, table, tempDir, type ServerClient, type Stats } from './lib.js';

const SIZES = [10, 1_000, 10_000];
const HOLDERS = 20;
const PER_CALL = 50;
const DIRS = { pkg: 50, mod: 40 };
const WARMUP = 50;
const BLOCK = 40;
const BLOCKS = 10;
const WORKSPACE = '/bench/workspace';
const DECISIONS = 400;

interface SizeResult {
  size: number;
  seedMs: number;
  decision: Decision;
  ping: Stats;
  granted: Stats;
  conflict: Stats;
  conflictsPerAnswer: number;
}

const seededDir = (j: number): string => `pkg${j % DIRS.pkg}/mod${Math.floor(j / DIRS.pkg) % DIRS.mod}/part${j}`;
const seededPattern = (j: number): string => `${seededDir(j)}/${['**', '*.ts', 'index.ts'][j % 3]}`;

interface Decision {
  indexed: Stats;
  scan: Stats;
}

/**
 * The decision alone, in process: check_scope's service call (a read transaction: candidates from
 * the prefix index, then exact overlap) against a scan that tests every active claim of the
 * workspace with the same exact overlap, for the same new pattern.
 */
async function decisionCost(deps: Deps, agentId: string, size: number): Promise<Decision> {
  const pattern = (i: number) => `pkg${i % DIRS.pkg}/mod${(i * 7) % DIRS.mod}/new${i}/**`;
  const indexed = await sample(DECISIONS, WARMUP, async (i) => {
    const out = await checkScope(deps, { kind: 'agent', agentId }, { scopes: [{ kind: 'path', pattern: pattern(i) }] });
    if (!out.granted) throw new Error('expected no conflict');
  });
  const scans = Math.max(10, Math.min(DECISIONS, Math.floor(50_000 / size)));
  const scan = await sample(scans, 5, (i) =>
    readTx(deps, async (tx) => {
      const all = await tx.claims.listActive({ workspace: WORKSPACE, kind: 'path', limit: 1_000_000 });
      if (all.some((c) => scopesOverlap('path', pattern(i), c.pattern).overlap)) throw new Error('expected no conflict');
    }),
  );
  return { indexed: stats(indexed), scan: stats(scan) };
}

async function seed(db: string, size: number): Promise<{ seedMs: number; decision: Decision }> {
  const config = loadConfig({ db, workspace: WORKSPACE, agentLeaseSeconds: '86400' }, {});
  const app = await openApp(config, { logger: pino({ level: 'silent' }) });
  const started = performance.now();
  try {
    const holders: string[] = [];
    for (let h = 0; h < HOLDERS; h++) holders.push((await registerAgent(app.deps, { name: `holder-${h}`, role: 'implementer', workspace: WORKSPACE })).agent.id);
    const byHolder = new Map<string, string[]>();
    for (let j = 0; j < size; j++) {
      const holder = holders[j % HOLDERS]!;
      byHolder.set(holder, [...(byHolder.get(holder) ?? []), seededPattern(j)]);
    }
    for (const [holder, patterns] of byHolder) {
      for (let i = 0; i < patterns.length; i += PER_CALL) {
        const scopes = patterns.slice(i, i + PER_CALL).map((pattern) => ({ kind: 'path' as const, pattern }));
        const outcome = await claimScope(app.deps, holder, { scopes, ttl_seconds: 86_400 });
        if (!outcome.granted) throw new Error(`seeding conflicted: ${outcome.decision.conflicts[0]?.witness}`);
      }
    }
    const seedMs = performance.now() - started;
    const me = (await registerAgent(app.deps, { name: 'decider', role: 'implementer', workspace: WORKSPACE })).agent.id;
    return { seedMs, decision: await decisionCost(app.deps, me, size) };
  } finally {
    app.close();
  }
}

interface Probe {
  size: number;
  server: ServerClient;
  samples: { ping: number[]; granted: number[]; conflict: number[] };
  conflicts: number;
  conflictCalls: number;
}

/** One block of each call on one server: ping, granted claims (each released, untimed), conflicts. */
async function block(p: Probe, offset: number, n: number, record: boolean): Promise<void> {
  const ping = await sample(n, 0, () => p.server.client.ping());
  const granted: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = offset + i;
    const pattern = `pkg${k % DIRS.pkg}/mod${(k * 7) % DIRS.mod}/new${k}/**`;
    const start = performance.now();
    const out = (await p.server.call('claim_scope', { scopes: [{ kind: 'path', pattern }], workspace: WORKSPACE })) as { granted: boolean; claims: { claim_id: string }[] };
    granted.push(performance.now() - start);
    if (!out.granted) throw new Error(`expected ${pattern} to be granted`);
    await p.server.call('release_scope', { claim_ids: out.claims.map((c) => c.claim_id) });
  }
  let conflicts = 0;
  const conflict = await sample(n, 0, async (i) => {
    const j = ((offset + i) * 37) % p.size;
    const pattern = `${seededDir(j)}/*.ts`; // overlaps exactly the one claim seeded in that directory
    const out = (await p.server.call('claim_scope', { scopes: [{ kind: 'path', pattern }], workspace: WORKSPACE })) as { granted: boolean; conflicts_total: number };
    if (out.granted) throw new Error(`expected ${pattern} to conflict`);
    conflicts += out.conflicts_total;
  });
  if (!record) return;
  p.samples.ping.push(...ping);
  p.samples.granted.push(...granted);
  p.samples.conflict.push(...conflict);
  p.conflicts += conflicts;
  p.conflictCalls += n;
}

export async function benchClaims(): Promise<string> {
  const tmp = tempDir('fleetdeck-bench-claims-');
  const probes: Probe[] = [];
  const seeded = new Map<number, { seedMs: number; decision: Decision }>();
  const results: SizeResult[] = [];
  try {
    for (const size of SIZES) {
      const db = join(tmp.dir, `claims-${size}.db`);
      seeded.set(size, await seed(db, size));
      const server = await spawnClient({ db, args: ['--agent-lease-seconds', '86400'], env: { FLEETDECK_WORKSPACE: WORKSPACE } });
      probes.push({ size, server, samples: { ping: [], granted: [], conflict: [] }, conflicts: 0, conflictCalls: 0 });
      await server.call('register_agent', { name: 'bench', role: 'implementer', workspace: WORKSPACE });
    }
    // All servers run side by side and take turns block by block, so drift in the machine's load
    // hits every size alike.
    for (const p of probes) await block(p, 1_000_000, WARMUP, false);
    for (let b = 0; b < BLOCKS; b++) for (const p of probes) await block(p, b * BLOCK, BLOCK, true);
    for (const p of probes) {
      results.push({
        size: p.size,
        ...seeded.get(p.size)!,
        ping: stats(p.samples.ping),
        granted: stats(p.samples.granted),
        conflict: stats(p.samples.conflict),
        conflictsPerAnswer: p.conflicts / p.conflictCalls,
      });
    }
  } finally {
    await Promise.all(probes.map((p) => p.server.close().catch(() => {})));
    tmp.cleanup();
  }
  const base = results[0]!;
  const rows = results.map((r) => [
    fmtInt(r.size),
    `${fmtMs(r.ping.p50)} / ${fmtMs(r.ping.p99)}`,
    `${fmtMs(r.granted.p50)} / ${fmtMs(r.granted.p99)}`,
    `${fmtRatio(r.granted.p50, base.granted.p50)} / ${fmtRatio(r.granted.p99, base.granted.p99)}`,
    fmtRatio(r.granted.p50, r.ping.p50),
    `${fmtMs(r.conflict.p50)} / ${fmtMs(r.conflict.p99)}`,
    `${fmtRatio(r.conflict.p50, base.conflict.p50)} / ${fmtRatio(r.conflict.p99, base.conflict.p99)}`,
    fmtRatio(r.conflict.p50, r.ping.p50),
    r.conflictsPerAnswer.toFixed(1),
    fmtInt(r.seedMs),
  ]);
  const decisionRows = results.map((r) => [
    fmtInt(r.size),
    `${fmtMs(r.decision.indexed.p50)} / ${fmtMs(r.decision.indexed.p99)}`,
    fmtRatio(r.decision.indexed.p50, base.decision.indexed.p50),
    `${fmtMs(r.decision.scan.p50)} / ${fmtMs(r.decision.scan.p99)}`,
    fmtRatio(r.decision.scan.p50, r.decision.indexed.p50),
  ]);
  return [
    '## Claims',
    '',
    `_Measured ${new Date().toISOString()} by bench/claims.ts._`,
    '',
    '### claim_scope over stdio',
    '',
    `\`claim_scope\` over stdio (SDK Client → \`node dist/cli.js serve\`, synchronous=FULL, one request in flight), ${BLOCKS * BLOCK} calls of each kind after ${WARMUP} warm-up, ` +
      `in blocks of ${BLOCK} that alternate between the three servers (running side by side) and with \`ping\` (the protocol no-op on the same connection). Active claims seeded through the service layer by ${HOLDERS} holders, ` +
      `each with its own literal prefix, over ${DIRS.pkg} × ${DIRS.mod} directories. _granted_: a new pattern in a busy directory, overlapping nothing ` +
      '(a write: claim row and event; released again, untimed); _conflict_: a pattern overlapping exactly one seeded claim, answered with the conflict, its holder and a witness. Times in ms, p50 / p99.',
    '',
    table(
      ['active claims', 'ping', 'granted', 'granted vs 10 claims', 'granted p50 vs ping', 'conflict', 'conflict vs 10 claims', 'conflict p50 vs ping', 'conflicts per answer', 'seed ms'],
      rows,
    ),
    '',
    '### The decision alone (in process)',
    '',
    `check_scope's service call for a new pattern (a read transaction: candidates through the prefix index, then exact overlap), ${DECISIONS} calls after ${WARMUP} warm-up, ` +
      'against a scan that tests every active claim of the workspace with the same exact overlap (what the index avoids). Times in ms, p50 / p99.',
    '',
    table(['active claims', 'indexed', 'indexed vs 10 claims', 'scan of every claim', 'scan p50 vs indexed'], decisionRows),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchClaims().then(
    (markdown) => process.stdout.write(`${markdown}\n`),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
