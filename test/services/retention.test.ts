import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/services/audit.js';
import { applyRetention } from '../../src/services/retention/apply.js';
import { decodeSegment, encodeSegment } from '../../src/services/retention/archive-segment.js';
import { DAY_MS } from '../../src/services/retention/settings.js';
import { connectClient, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';
import { TEST_ENGINE } from '../helpers/postgres.js';
import { rawSql } from '../helpers/raw-sql.js';

/**
 * Retention on a real fleet (both engines): old finished runs leave with everything of theirs,
 * old audit events move to archive segments first, and `audit verify` still checks archive and
 * live log as one chain — and names a missing or altered segment.
 */
describe('retention', () => {
  let t: TestApp;
  let worker: TestClient;
  beforeEach(async () => {
    t = await openTestApp();
    worker = await connectClient(t.app);
    await worker.ok('register_agent', { name: 'worker', role: 'implementer' });
  });
  afterEach(async () => {
    await worker.close();
    await t.close();
  });

  async function finishRun(title: string): Promise<string> {
    const sub = await worker.ok<{ run_id: string }>('submit_task', { title, instructions: 'x', to_role: 'implementer' });
    await worker.ok('take_task');
    await worker.ok('claim_scope', { scopes: [{ kind: 'path', pattern: `src/${title}.ts` }], run_id: sub.run_id });
    const art = await worker.ok<{ artifact_id: string }>('attach_evidence', { run_id: sub.run_id, kind: 'log', content: `log of ${title}` });
    await worker.ok('submit_result', { run_id: sub.run_id, outcome: 'completed', summary: 'done', evidence: [art.artifact_id] });
    return sub.run_id;
  }

  /** Many events at once (one transaction), the way a busy fleet's history piles up. */
  async function history(n: number): Promise<void> {
    await t.app.deps.store.write(async (tx) => {
      for (let i = 0; i < n; i++) await tx.events.append({ actor: 'system', type: 'agent.heartbeat', payload: { note: `n${i}` } }, t.clock.now());
    });
  }

  const archiveFiles = () => readdirSync(join(t.dir, 'archive')).filter((f) => f.endsWith('.jsonl.gz')).sort();

  it('removes old finished runs with their evidence and claims, keeps recent and unfinished ones, and records it', async () => {
    const old = await finishRun('old');
    t.clock.advance(31 * DAY_MS);
    const recent = await finishRun('recent');
    const open = await worker.ok<{ run_id: string }>('submit_task', { title: 'open', instructions: 'x', to_role: 'nobody' });

    const report = await applyRetention(t.app.deps);
    expect(report).toMatchObject({ runs: 1, artifacts: 1, finished: true });
    expect(report.claims + report.blobs).toBeGreaterThanOrEqual(1);
    expect(errorOf(await worker.call('get_run', { run_id: old }))).toBe('NOT_FOUND');
    await worker.ok('get_run', { run_id: recent });
    await worker.ok('get_run', { run_id: open.run_id });
    const events = await worker.ok<{ events: { type: string; payload: Record<string, unknown> }[] }>('list_events', { types: ['retention.applied'] });
    expect(events.events).toHaveLength(1);
    expect(events.events[0]!.payload).toMatchObject({ runs: 1, artifacts: 1 });

    // idempotent: a second pass (another process's, say) finds nothing
    expect(await applyRetention(t.app.deps)).toMatchObject({ runs: 0, artifacts: 0, archivedEvents: 0 });
    expect(await verifyAudit(t.app.deps)).toMatchObject({ ok: true });
  });

  it('archives whole blocks of old events before removing them; verify checks archive and live log as one chain', async () => {
    await history(2_600);
    t.clock.advance(91 * DAY_MS);
    await history(10); // recent: stays live
    const before = await verifyAudit(t.app.deps);
    expect(before.ok).toBe(true);

    const report = await applyRetention(t.app.deps, { budgetMs: 60_000 });
    expect(report.archivedEvents).toBe(2_000); // blocks 1–1000 and 1001–2000; 2001–3000 is not all old yet
    expect(report.segments).toEqual(['events-000000000001-000000001000.jsonl.gz', 'events-000000001001-000000002000.jsonl.gz']);
    expect(report.deletedEvents).toBe(2_000);
    const live = await t.app.deps.store.read(async (tx) => await tx.events.count());
    expect(live).toBe(before.events - 2_000);

    const after = await verifyAudit(t.app.deps);
    expect(after).toMatchObject({ ok: true, events: before.events, lastSeq: before.lastSeq, archive: { segments: 2, events: 2_000, throughSeq: 2_000 } });
    // appending goes on from the live head
    await worker.ok('heartbeat', { note: 'after retention' }); // the worker went stale meanwhile: stale, revived, the note
    const next = await verifyAudit(t.app.deps);
    expect(next).toMatchObject({ ok: true, lastSeq: before.lastSeq + 3, events: before.events + 3 });
  });

  it('names a missing or altered archive segment', async () => {
    await history(2_100);
    t.clock.advance(91 * DAY_MS);
    await history(5);
    await applyRetention(t.app.deps, { budgetMs: 60_000 });
    expect((await verifyAudit(t.app.deps)).ok).toBe(true);

    const second = 'events-000000001001-000000002000.jsonl.gz';
    const body = (await t.app.deps.store.archive(t.dir).read(second))!;
    const rows = decodeSegment(body);
    rows[10] = { ...rows[10]!, payload: JSON.stringify({ note: 'rewritten' }) };
    await replaceSegment(1001, second, encodeSegment(rows));
    const altered = await verifyAudit(t.app.deps);
    expect(altered.ok).toBe(false);
    expect(altered.firstBroken).toMatchObject({ seq: 1011, segment: second });
    expect(altered.firstBroken!.reason).toMatch(/altered/);

    await replaceSegment(1001, second, body);
    expect((await verifyAudit(t.app.deps)).ok).toBe(true);
    await dropSegment(1, 'events-000000000001-000000001000.jsonl.gz');
    const missing = await verifyAudit(t.app.deps);
    expect(missing.ok).toBe(false);
    expect(missing.firstBroken!.reason).toMatch(/events 1–1000 are in no archive segment/);
    expect(missing.firstBroken!.reason).toContain(second);
  });

  it('refuses to delete an event the archive does not hold, at the database itself', async () => {
    await history(5);
    const attempt = rawSql(t, 'DELETE FROM events WHERE seq = ?', 2);
    await expect(attempt).rejects.toThrow(/append-only/);
    expect(TEST_ENGINE === 'postgres' || archiveFilesSafe().length === 0).toBe(true);
  });

  const archiveFilesSafe = () => {
    try {
      return archiveFiles();
    } catch {
      return [];
    }
  };

  async function replaceSegment(firstSeq: number, name: string, body: Buffer): Promise<void> {
    if (TEST_ENGINE === 'sqlite') writeFileSync(join(t.dir, 'archive', name), body);
    else await rawSql(t, 'UPDATE event_archive_segments SET body = ? WHERE first_seq = ?', body, firstSeq);
  }

  async function dropSegment(firstSeq: number, name: string): Promise<void> {
    if (TEST_ENGINE === 'sqlite') rmSync(join(t.dir, 'archive', name));
    else await rawSql(t, 'DELETE FROM event_archive_segments WHERE first_seq = ?', firstSeq);
  }
});

function errorOf(result: { isError?: boolean; structuredContent?: Record<string, unknown> }): string | undefined {
  return result.isError ? ((result.structuredContent?.error as { code?: string } | undefined)?.code ?? 'error') : undefined;
}

describe('figures kept as the state changes (migration 013)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  it('the counters agree with a full count after a mixed workload, and totals never shrink under retention', async () => {
    const w = await connectClient(t.app);
    const ops = await connectClient(t.app, 'operator');
    await w.ok('register_agent', { name: 'w', role: 'implementer' });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await w.ok<{ run_id: string }>('submit_task', { title: `t${i}`, instructions: 'x', to_role: 'implementer', max_attempts: 1 })).run_id);
    for (let i = 0; i < 9; i++) {
      const taken = await w.ok<{ run: { run_id: string } }>('take_task');
      t.clock.advance(45_000);
      if (i % 3 === 0) await w.ok('submit_result', { run_id: taken.run.run_id, outcome: 'completed', summary: 'ok', usage: { tokens_in: 10, tokens_out: 2, cost_usd: 0.01 } });
      else if (i % 3 === 1) await w.ok('submit_result', { run_id: taken.run.run_id, outcome: 'failed', summary: 'no', retryable: false });
      else await ops.ok('cancel_run', { run_id: taken.run.run_id, reason: 'not needed' });
    }
    await ops.ok('requeue_run', { run_id: ids[1]!, reason: 'try again' });

    const fullCount = async () => {
      const counts: Record<string, number> = {};
      let cursor: string | undefined;
      do {
        const page = await w.ok<{ runs: { state: string }[]; next_cursor: string | null }>('list_runs', { limit: 200, ...(cursor ? { cursor } : {}) });
        for (const r of page.runs) counts[r.state] = (counts[r.state] ?? 0) + 1;
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      return counts;
    };
    const kept = await t.app.deps.store.read(async (tx) => ({ byState: await tx.runs.countByState(), figures: await tx.metrics.runFigures(t.clock.now(), [60_000]) }));
    expect(kept.byState).toEqual(await fullCount());
    expect(kept.figures!.processing).toMatchObject({ count: 6, cumulative: [6] });
    expect(kept.figures!).toMatchObject({ tokensIn: 10 * 3, failures: 3 });

    t.clock.advance(31 * DAY_MS);
    await w.ok('heartbeat', {});
    const removed = await applyRetention(t.app.deps);
    expect(removed.runs).toBeGreaterThan(0);
    const after = await t.app.deps.store.read(async (tx) => ({ byState: await tx.runs.countByState(), figures: await tx.metrics.runFigures(t.clock.now(), [60_000]) }));
    expect(after.byState).toEqual(await fullCount());
    expect(after.figures!.processing.count).toBe(6); // a counter: retention does not take finished work back
    expect(after.figures!.tokensIn).toBe(30);
    await w.close();
    await ops.close();
  });
});

describe('stale agents holding nothing', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
  });
  afterEach(async () => {
    await t.close();
  });

  it('are forgotten after their period (with an event), leave the overview, and come back with their next sign of life', async () => {
    const idle = await connectClient(t.app);
    const watcher = await connectClient(t.app);
    const gone = await idle.ok<{ agent_id: string }>('register_agent', { name: 'gone', role: 'implementer' });
    await watcher.ok('register_agent', { name: 'watcher', role: 'operator-bot' });
    t.clock.advance(2 * DAY_MS);
    await watcher.ok('heartbeat', {}); // the expiry pass marks 'gone' stale
    expect((await applyRetention(t.app.deps)).agents).toBe(0); // stale for less than 7 days
    expect((await watcher.ok<{ stale_agents: { name: string }[] }>('fleet_status')).stale_agents.map((a) => a.name)).toEqual(['gone']);
    t.clock.advance(8 * DAY_MS);
    await watcher.ok('heartbeat', {});

    const report = await applyRetention(t.app.deps);
    expect(report.agents).toBe(1);
    expect((await watcher.ok<{ stale_agents: { name: string }[] }>('fleet_status')).stale_agents).toEqual([]);
    const events = await watcher.ok<{ events: { type: string; agent_id: string; actor: string }[] }>('list_events', { types: ['agent.forgotten'] });
    expect(events.events).toEqual([expect.objectContaining({ agent_id: gone.agent_id, actor: 'system' })]);
    expect((await applyRetention(t.app.deps)).agents).toBe(0);

    await idle.ok('heartbeat', {}); // back: listed again
    expect((await watcher.ok<{ agents: { active: number } }>('fleet_status')).agents.active).toBe(2);
    await Promise.all([idle.close(), watcher.close()]);
  });
});
