/**
 * Chaos: several `serve` processes (the built dist/cli.js over stdio) share one SQLite file and run
 * a mixed workload — register, claim, submit, take, attach evidence, heartbeat, hand off, accept,
 * submit results — while a controller SIGKILLs processes and SIGSTOPs/SIGCONTs them at random,
 * restarting the killed ones (which resume their agent identity). Afterwards the file alone is
 * judged: every acknowledged write is there, no run completed twice, two agents never held
 * overlapping scopes with one exclusive at the same moment (a replay of the audit log), the audit
 * chain verifies (`fleetdeck audit verify`) and `PRAGMA integrity_check` is ok.
 *
 * Bounded: WORK_MS of chaos plus start-up and checks. The controller's and the workers' choices
 * come from one printed seed (FLEETDECK_CHAOS_SEED replays them); the interleaving of processes
 * does not, and the assertions do not depend on it: they are invariants.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { CLI, REPO_ROOT, spawnServer, waitForExit, type StdioClient, type ToolResult } from '../helpers/stdio.js';
import { replayClaims } from './helpers/claims-replay.js';
import { events, integrityCheck, openFile } from './helpers/inspect.js';
import { Random } from './helpers/random.js';

const SEED = Number(process.env.FLEETDECK_CHAOS_SEED ?? 20_261_130);
const PROCESSES = 5;
const WORKERS_PER_PROCESS = 2;
const WORK_MS = 20_000;
/** a short agent lease, so a killed or stopped agent can turn stale and have its work recovered */
const AGENT_LEASE_SECONDS = 4;
const SERVE_ARGS = ['--agent-lease-seconds', String(AGENT_LEASE_SECONDS), '--sweep-seconds', '0.5'];
const ROLE = 'chaos-worker';

const PATHS = ['pkg0/**', 'pkg1/**', 'pkg0/*.ts', 'pkg1/*.ts', 'pkg0/a.ts', 'pkg0/b.ts', 'pkg1/a.ts', 'pkg1/b.ts', 'pkg2/a.ts', 'docs/**'];
/** every overlapping pair of PATHS has a witness among these names */
const UNIVERSE = ['pkg0/a.ts', 'pkg0/b.ts', 'pkg1/a.ts', 'pkg1/b.ts', 'pkg2/a.ts', 'docs/x.md', 'pkg0/sub/c.ts'];
const RESOURCES = ['area:billing', 'area:billing/api', 'area:auth'];
/** codes a racing, fenced workload legitimately meets; anything else (INTERNAL above all) is a finding */
const EXPECTED_CODES = new Set(['LEASE_LOST', 'INVALID_STATE', 'NOT_FOUND', 'FORBIDDEN', 'BUSY']);

interface Slot {
  index: number;
  name: string;
  agentId: string;
  token: string;
  client: StdioClient | null;
  /** bumped at every stop, so a call can tell whether its own process was frozen meanwhile */
  stops: number;
  stopped: boolean;
  generation: number;
}

interface Held {
  runId: string;
  epoch: number;
}

/** What the servers acknowledged: each must be in the file afterwards. */
const acked = {
  agents: new Set<string>(),
  runs: new Set<string>(),
  notes: new Set<string>(),
  claims: new Set<string>(),
  artifacts: new Map<string, string>(), // id → sha256
  handoffs: new Set<string>(),
  accepted: new Set<string>(),
  completed: [] as { runId: string; agentId: string }[],
};

const figures = { calls: 0, acknowledged: 0, unanswered: 0, expectedErrors: 0, busy: 0, kills: 0, stops: 0, restarts: 0, worstCallMs: 0, worstUnfrozenCallMs: 0 };
const unexpected: string[] = [];
/** overlaps left by accepted handoffs, judged by their own test below */
let transferOverlaps: unknown[] | null = null;
/** every signal each agent saw in a result: how often plainly, how often marked as redelivered */
const signalsSeen = new Map<string, Map<string, { plain: number; redelivered: number }>>();
/** signal ids delivered twice without the redelivered mark, and ones never delivered; judged below */
let signalFindings: { doubled: string[]; neverDelivered: string[] } | null = null;

function recordSignals(agentId: string, result: ToolResult): void {
  const signals = (result.structuredContent.signals ?? []) as { id: string | number; redelivered?: boolean }[];
  if (!signalsSeen.has(agentId)) signalsSeen.set(agentId, new Map());
  const seen = signalsSeen.get(agentId)!;
  for (const signal of signals) {
    const entry = seen.get(String(signal.id)) ?? { plain: 0, redelivered: 0 };
    if (signal.redelivered) entry.redelivered++;
    else entry.plain++;
    seen.set(String(signal.id), entry);
  }
}

describe('chaos: kill -9 and SIGSTOP across server processes on one file', () => {
  const tmp = tempDir('fleetdeck-chaos-');
  const db = join(tmp.dir, 'fleet.db');
  const slots: Slot[] = [];
  afterAll(async () => {
    for (const s of slots) {
      if (!s.client) continue;
      try {
        process.kill(s.client.pid, 'SIGCONT');
      } catch {
        // already gone
      }
      await s.client.close().catch(() => {});
    }
    if (process.env.FLEETDECK_CHAOS_KEEP) console.log(`chaos: kept ${db}`);
    else tmp.cleanup();
  });

  it('the overlap replay catches two agents holding overlapping scopes (the checker works)', () => {
    const claim = (seq: number, id: string, agent: string, pattern: string, mode: string, type = 'claim.granted') =>
      ({ seq, type, actor: agent, agent_id: agent, run_id: null, subject_id: id, payload: { workspace: '/w', kind: 'path', pattern, mode } });
    const overlapping = replayClaims([claim(1, 'c1', 'a', 'pkg0/**', 'shared'), claim(2, 'c2', 'b', 'pkg0/*.ts', 'exclusive')], UNIVERSE);
    expect(overlapping.violations).toHaveLength(1);
    expect(overlapping.violations[0]!.witness).toBe('pkg0/a.ts');
    const sequential = replayClaims([claim(1, 'c1', 'a', 'pkg0/**', 'exclusive'), claim(2, 'c1', 'a', 'pkg0/**', 'exclusive', 'claim.released'), claim(3, 'c2', 'b', 'pkg0/a.ts', 'exclusive')], UNIVERSE);
    expect(sequential.violations).toEqual([]);
    expect(replayClaims([claim(1, 'c1', 'a', 'pkg0/**', 'exclusive'), claim(2, 'c2', 'b', 'pkg1/*.ts', 'exclusive')], UNIVERSE).violations).toEqual([]);
    // a handoff moves a run's claims together: the half-moved state inside its transaction is no overlap
    const moved = (seq: number, id: string, pattern: string, mode: string) => ({ ...claim(seq, id, 'b', pattern, mode, 'claim.transferred'), run_id: 'r1', payload: { workspace: '/w', kind: 'path', pattern, mode, to_agent_id: 'b' } });
    const handedOver = replayClaims([claim(1, 'c1', 'a', 'pkg0/a.ts', 'exclusive'), claim(2, 'c2', 'a', 'pkg0/*.ts', 'shared'), moved(3, 'c1', 'pkg0/a.ts', 'exclusive'), moved(4, 'c2', 'pkg0/*.ts', 'shared')], UNIVERSE);
    expect(handedOver.violations).toEqual([]);
  });

  it('loses no acknowledged write, completes no run twice, never grants overlapping exclusive scopes; chain and file verify', async () => {
    const random = new Random(SEED);
    console.log(`chaos seed ${SEED} (set FLEETDECK_CHAOS_SEED to replay the choices), ${PROCESSES} processes × ${WORKERS_PER_PROCESS} workers, ${WORK_MS} ms`);

    const start = async (slot: Slot): Promise<void> => {
      const client = await spawnServer({ db, args: SERVE_ARGS, cwd: REPO_ROOT });
      const args = slot.agentId ? { name: slot.name, role: ROLE, agent_id: slot.agentId, token: slot.token } : { name: slot.name, role: ROLE };
      const registered = await client.call('register_agent', args);
      if (registered.isError) throw new Error(`register_agent failed: ${JSON.stringify(registered.structuredContent.error)}`);
      const reg = registered.structuredContent as { agent_id: string; token?: string };
      recordSignals(reg.agent_id, registered); // a resumed agent's backlog arrives here
      if (!slot.agentId) {
        slot.agentId = reg.agent_id;
        slot.token = reg.token!;
        acked.agents.add(reg.agent_id);
      }
      slot.generation++;
      slot.client = client;
    };
    for (let i = 0; i < PROCESSES; i++) slots.push({ index: i, name: `chaos-${i}`, agentId: '', token: '', client: null, stops: 0, stopped: false, generation: 0 });
    await Promise.all(slots.map(start));

    let done = false;
    const call = async (slot: Slot, name: string, args: Record<string, unknown>): Promise<ToolResult | null> => {
      const client = slot.client;
      if (!client) return null;
      const stopsBefore = slot.stops;
      const wasStopped = slot.stopped;
      const t0 = performance.now();
      figures.calls++;
      let result: ToolResult;
      try {
        result = await client.call(name, args);
      } catch {
        figures.unanswered++; // the process died with the call in flight: not acknowledged
        return null;
      }
      const ms = performance.now() - t0;
      recordSignals(slot.agentId, result);
      figures.worstCallMs = Math.max(figures.worstCallMs, ms);
      if (!wasStopped && slot.stops === stopsBefore) figures.worstUnfrozenCallMs = Math.max(figures.worstUnfrozenCallMs, ms);
      if (result.isError) {
        const code = (result.structuredContent.error as { code: string }).code;
        if (code === 'BUSY') figures.busy++;
        if (EXPECTED_CODES.has(code)) figures.expectedErrors++;
        else unexpected.push(`${name} ${JSON.stringify(args).slice(0, 200)} → ${JSON.stringify(result.structuredContent.error)}`);
        return result;
      }
      figures.acknowledged++;
      return result;
    };

    const worker = async (slot: Slot, rnd: Random, w: number): Promise<void> => {
      let held: Held | null = null;
      let k = 0;
      while (!done) {
        if (!slot.client) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        const me = slot.agentId;
        const roll = rnd.next();
        if (!held) {
          if (roll < 0.3) {
            // a keyed submission is the same task every time (a retry), so it must come back deduplicated
            const key = rnd.chance(0.2) ? rnd.int(0, 20) : null;
            const task = key === null ? { title: `chaos task ${slot.index}.${w}.${k}`, priority: rnd.int(-5, 5) } : { title: `chaos keyed task ${key}`, priority: 0, idempotency_key: `k${key}` };
            const r = await call(slot, 'submit_task', { ...task, instructions: 'do it', to_role: ROLE });
            if (r && !r.isError) acked.runs.add((r.structuredContent as { run_id: string }).run_id);
          } else if (roll < 0.7) {
            const r = await call(slot, 'take_task', { wait_seconds: 0 });
            const out = r && !r.isError ? (r.structuredContent as { run: { run_id: string } | null; lease_epoch?: number }) : null;
            if (out?.run) held = { runId: out.run.run_id, epoch: out.lease_epoch! };
          } else if (roll < 0.85) {
            const r = await call(slot, 'list_handoffs', { to_me: true });
            const offered = r && !r.isError ? (r.structuredContent as { handoffs: { handoff_id: string; state: string }[] }).handoffs.filter((h) => h.state === 'offered') : [];
            if (offered.length > 0) {
              const id = rnd.pick(offered).handoff_id;
              const a = await call(slot, 'accept_handoff', { handoff_id: id });
              if (a && !a.isError) {
                acked.accepted.add(id);
                const run = (a.structuredContent as { run: { run_id: string; lease_epoch: number } }).run;
                held = { runId: run.run_id, epoch: run.lease_epoch };
              }
            }
          } else {
            const note = `n-${slot.index}-${slot.generation}-${w}-${k}`;
            const r = await call(slot, 'heartbeat', { note, status: 'idle' });
            if (r && !r.isError) acked.notes.add(note);
          }
        } else {
          const run = held;
          const lost = (r: ToolResult | null) => {
            if (r?.isError && ['LEASE_LOST', 'INVALID_STATE', 'NOT_FOUND', 'FORBIDDEN'].includes((r.structuredContent.error as { code: string }).code)) held = null;
          };
          if (roll < 0.2) {
            const note = `n-${slot.index}-${slot.generation}-${w}-${k}`;
            const r = await call(slot, 'heartbeat', { note, run_id: run.runId, status: 'working', progress: rnd.next() });
            if (r && !r.isError) acked.notes.add(note);
            lost(r);
          } else if (roll < 0.4) {
            const scopes = Array.from({ length: rnd.int(1, 2) }, () =>
              rnd.chance(0.75) ? { kind: 'path', pattern: rnd.pick(PATHS) } : { kind: 'resource', pattern: rnd.pick(RESOURCES) },
            );
            const r = await call(slot, 'claim_scope', { scopes, mode: rnd.chance(0.6) ? 'exclusive' : 'shared', run_id: run.runId, reason: 'chaos' });
            const out = r && !r.isError ? (r.structuredContent as { granted: boolean; claims?: { claim_id: string }[] }) : null;
            if (out?.granted) for (const c of out.claims ?? []) acked.claims.add(c.claim_id);
            lost(r);
          } else if (roll < 0.55) {
            const content = `evidence ${slot.index}.${w}.${k} ${'x'.repeat(rnd.int(0, 3000))}`;
            const r = await call(slot, 'attach_evidence', { run_id: run.runId, kind: 'log', content, name: 'chaos.log', lease_epoch: run.epoch });
            if (r && !r.isError) {
              const out = r.structuredContent as { artifact_id: string; sha256: string };
              expect(out.sha256).toBe(createHash('sha256').update(content).digest('hex'));
              acked.artifacts.set(out.artifact_id, out.sha256);
            }
            lost(r);
          } else if (roll < 0.7) {
            const others = slots.filter((s) => s !== slot && s.agentId);
            const target = rnd.chance(0.5) && others.length > 0 ? { to_agent: rnd.pick(others).agentId } : { to_role: ROLE };
            const r = await call(slot, 'handoff', { run_id: run.runId, ...target, summary: 'half done', next_action: 'finish it' });
            if (r && !r.isError) {
              acked.handoffs.add((r.structuredContent as { handoff_id: string }).handoff_id);
              held = null;
            }
            lost(r);
          } else if (roll < 0.75) {
            const r = await call(slot, 'release_scope', { all: true });
            lost(r);
          } else {
            const r = await call(slot, 'submit_result', { run_id: run.runId, outcome: 'completed', summary: 'done under chaos', lease_epoch: run.epoch });
            if (r && !r.isError) acked.completed.push({ runId: run.runId, agentId: me });
            held = null;
          }
        }
        k++;
      }
    };

    const controller = async (rnd: Random): Promise<void> => {
      while (!done) {
        await new Promise((r) => setTimeout(r, rnd.int(400, 1200)));
        if (done) break;
        const up = slots.filter((s) => s.client && !s.stopped);
        if (up.length <= 2) continue; // keep most of the fleet working
        const victim = rnd.pick(up);
        const pid = victim.client!.pid;
        if (rnd.chance(0.4)) {
          figures.kills++;
          const client = victim.client!;
          victim.client = null;
          process.kill(pid, 'SIGKILL');
          await waitForExit(pid);
          await client.close().catch(() => {});
          // restart in the background, resuming the same identity
          void start(victim)
            .then(() => void figures.restarts++)
            .catch((error: Error) => unexpected.push(`restart of ${victim.name} failed: ${error.message}`));
        } else {
          figures.stops++;
          victim.stopped = true;
          victim.stops++;
          process.kill(pid, 'SIGSTOP');
          await new Promise((r) => setTimeout(r, rnd.int(100, 1500)));
          process.kill(pid, 'SIGCONT');
          victim.stopped = false;
        }
      }
    };

    const started = Date.now();
    const work = slots.flatMap((slot) => Array.from({ length: WORKERS_PER_PROCESS }, (_, w) => worker(slot, random.fork(slot.index * 10 + w), w)));
    const chaos = controller(random.fork(999));
    await new Promise((r) => setTimeout(r, WORK_MS));
    done = true;
    await chaos;
    await Promise.all(work);
    // wait for restarts still in flight, then shut every process down the way a client does
    const deadline = Date.now() + 20_000;
    while (slots.some((s) => !s.client) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // two quiet rounds of calls collect the signals still waiting (and acknowledge the last ones)
    for (let round = 0; round < 2; round++) for (const s of slots) await call(s, 'heartbeat', {});
    await Promise.all(slots.map((s) => s.client?.close().catch(() => {})));
    for (const s of slots) s.client = null;
    const elapsed = Date.now() - started;

    const file = openFile(db);
    let lost: string[] = [];
    let duplicated: string[] = [];
    try {
      expect(integrityCheck(file)).toEqual(['ok']);
      const all = events(file);
      const ids = (sql: string) => new Set((file.prepare(sql).all() as { id: string }[]).map((r) => r.id));
      const agents = ids('SELECT id FROM agents');
      const runs = ids('SELECT id FROM runs');
      const claims = ids('SELECT id FROM claims');
      const handoffs = ids('SELECT id FROM handoffs');
      const accepted = ids("SELECT id FROM handoffs WHERE state = 'accepted'");
      const artifacts = new Map((file.prepare('SELECT id, sha256 FROM artifacts').all() as { id: string; sha256: string }[]).map((r) => [r.id, r.sha256]));
      const notes = new Set(all.filter((e) => e.type === 'agent.heartbeat').map((e) => e.payload.note as string));
      const completedBy = new Map((file.prepare("SELECT id, result_by FROM runs WHERE state = 'completed'").all() as { id: string; result_by: string }[]).map((r) => [r.id, r.result_by]));
      lost = [
        ...[...acked.agents].filter((id) => !agents.has(id)).map((id) => `agent ${id}`),
        ...[...acked.runs].filter((id) => !runs.has(id)).map((id) => `run ${id}`),
        ...[...acked.claims].filter((id) => !claims.has(id)).map((id) => `claim ${id}`),
        ...[...acked.handoffs].filter((id) => !handoffs.has(id)).map((id) => `handoff ${id}`),
        ...[...acked.accepted].filter((id) => !accepted.has(id)).map((id) => `accepted handoff ${id}`),
        ...[...acked.artifacts].filter(([id, sha]) => artifacts.get(id) !== sha).map(([id]) => `artifact ${id}`),
        ...[...acked.notes].filter((note) => !notes.has(note)).map((note) => `heartbeat ${note}`),
        ...acked.completed.filter((c) => completedBy.get(c.runId) !== c.agentId).map((c) => `result of ${c.runId} by ${c.agentId}`),
      ];
      const completions = new Map<string, number>();
      for (const e of all) if (e.type === 'run.completed') completions.set(e.run_id!, (completions.get(e.run_id!) ?? 0) + 1);
      const ackedPerRun = new Map<string, number>();
      for (const c of acked.completed) ackedPerRun.set(c.runId, (ackedPerRun.get(c.runId) ?? 0) + 1);
      duplicated = [
        ...[...completions].filter(([, n]) => n > 1).map(([id, n]) => `run ${id} completed ${n} times in the log`),
        ...[...ackedPerRun].filter(([, n]) => n > 1).map(([id, n]) => `run ${id}: ${n} results acknowledged`),
      ];
      const signalRows = file.prepare('SELECT id, agent_id FROM signals').all() as { id: number; agent_id: string }[];
      signalFindings = {
        doubled: [...signalsSeen].flatMap(([agent, seen]) => [...seen].filter(([, n]) => n.plain > 1).map(([id, n]) => `signal ${id} of ${agent} delivered ${n.plain} times unmarked`)),
        neverDelivered: signalRows.filter((r) => !signalsSeen.get(r.agent_id)?.has(String(r.id))).map((r) => `signal ${r.id} of ${r.agent_id}`),
      };
      const replay = replayClaims(all.filter((e) => e.type.startsWith('claim.')), UNIVERSE);
      const summary = {
        seed: SEED,
        elapsed_ms: elapsed,
        ...figures,
        worstCallMs: Math.round(figures.worstCallMs),
        worstUnfrozenCallMs: Math.round(figures.worstUnfrozenCallMs),
        acknowledged_writes_checked: acked.agents.size + acked.runs.size + acked.claims.size + acked.handoffs.size + acked.accepted.size + acked.artifacts.size + acked.notes.size + acked.completed.length,
        completed_runs: acked.completed.length,
        claim_grants: replay.grants,
        events: all.length,
        agents_turned_stale: all.filter((e) => e.type === 'agent.stale').length,
        runs_requeued: all.filter((e) => e.type === 'run.requeued').length,
        signals: signalRows.length,
        signals_doubled: signalFindings.doubled.length,
        signals_never_delivered: signalFindings.neverDelivered.length,
        lost: lost.length,
        duplicated: duplicated.length,
        overlapping_grants: replay.violations.filter((v) => v.by === 'grant').length,
        overlaps_by_handoff: replay.violations.filter((v) => v.by === 'transfer').length,
        unexpected_errors: unexpected.length,
      };
      console.log(`chaos figures ${JSON.stringify(summary)}`);
      if (signalFindings.doubled.length + signalFindings.neverDelivered.length > 0) {
        console.log(`chaos signal findings (first 10 each):\n${[...signalFindings.doubled.slice(0, 10), ...signalFindings.neverDelivered.slice(0, 10)].join('\n')}`);
      }
      if (replay.violations.length > 0) console.log(`chaos overlapping grants:\n${replay.violations.map((v) => JSON.stringify(v)).join('\n')}`);
      if (unexpected.length > 0) console.log(`chaos unexpected errors (first 10):\n${unexpected.slice(0, 10).join('\n')}`);

      expect(lost).toEqual([]);
      expect(duplicated).toEqual([]);
      transferOverlaps = replay.violations.filter((v) => v.by === 'transfer');
      expect(replay.violations.filter((v) => v.by === 'grant')).toEqual([]);
      expect(unexpected).toEqual([]);
      // the workload did happen, under chaos
      expect(figures.kills + figures.stops).toBeGreaterThan(0);
      expect(acked.completed.length).toBeGreaterThan(0);
      expect(replay.grants).toBeGreaterThan(0);
    } finally {
      file.close();
    }

    const verify = spawnSync(process.execPath, [CLI, 'audit', 'verify', '--db', db, '--json'], { encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
  }, 150_000);

  // Kept apart from the test above so each rule fails on its own: a handoff that moves a run's
  // claims next to the giver's overlapping ones (deterministic repro: handoff-claims.test.ts).
  // Issue 13 item 4, judged on its own: a signal reaches its agent at least once, and twice only
  // when marked as redelivered (its first result may not have arrived).
  it('every signal was delivered, and none twice unmarked', () => {
    if (signalFindings === null) throw new Error('the chaos run above did not get as far as the signal count');
    expect(signalFindings.doubled.slice(0, 10)).toEqual([]);
    expect(signalFindings.neverDelivered.slice(0, 10)).toEqual([]);
  });

  it('no accepted handoff left two agents holding overlapping scopes with one exclusive', () => {
    if (transferOverlaps === null) throw new Error('the chaos run above did not get as far as the claim replay');
    expect(transferOverlaps).toEqual([]);
  });
});
