import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FleetMetrics, PrometheusWriter, ToolCallMetrics, writeFleetFigures } from '../../src/services/metrics.js';
import { connectClient, openTestApp, type TestApp } from '../helpers/app.js';

/** Sample value of `name{labels}` in Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('fleet metrics from the database', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '300' });
  });
  afterEach(() => t.close());

  it('reports agents by liveness, queue depth and age, processing times, usage and events by type', async () => {
    const metrics = new FleetMetrics(t.app.deps);
    const empty = await metrics.figures();
    expect(empty.agents).toMatchObject({ active: 0, stale: 0 });
    expect(empty.runs).toMatchObject({ queueDepth: 0, queueReady: 0, oldestReadyAgeSeconds: 0, deadLetters: 0 });

    const worker = await connectClient(t.app);
    const boss = await connectClient(t.app);
    await worker.ok('register_agent', { name: 'wendy', role: 'implementer' });
    await boss.ok('register_agent', { name: 'boss', role: 'coordinator' });
    await worker.ok('heartbeat', { usage: { tokens_in: 1000, tokens_out: 200, cost_usd: 0.5 } });
    const first = await boss.ok<{ run_id: string }>('submit_task', { title: 'one', instructions: 'do one', to_role: 'implementer' });
    await boss.ok('submit_task', { title: 'two', instructions: 'do two', to_role: 'implementer' });
    t.clock.advance(30_000);
    const taken = await worker.ok<{ run: { run_id: string; lease_epoch: number } }>('take_task');
    expect(taken.run.run_id).toBe(first.run_id);
    t.clock.advance(45_000);
    await worker.ok('submit_result', { run_id: first.run_id, outcome: 'completed', summary: 'done', lease_epoch: taken.run.lease_epoch });

    const f = await metrics.figures();
    expect(f.agents).toMatchObject({ active: 2, stale: 0, tokensIn: 1000, tokensOut: 200, costUsd: 0.5 });
    expect(f.runs).toMatchObject({ queueDepth: 1, queueReady: 1, oldestReadyAgeSeconds: 75, deadLetters: 0 });
    expect(f.runs!.byState).toMatchObject({ queued: 1, completed: 1 });
    expect(f.runs!.processing.count).toBe(1);
    expect(f.runs!.processing.sumMs).toBe(45_000);
    expect(f.events.byType['agent.registered']).toBe(2);

    // the boss goes quiet past its lease; the worker stays alive
    t.clock.advance(240_000);
    await worker.ok('heartbeat', { note: 'still going' });
    await worker.ok('heartbeat', {}); // renews only: no event
    const later = await metrics.figures();
    expect(later.agents).toMatchObject({ active: 1, stale: 1 });
    // counted incrementally from the last scrape, so the totals only grow
    expect(later.events.byType['agent.heartbeat']).toBe(2);
    expect(later.events.byType['agent.registered']).toBe(2);
    expect(later.events.lastSeq).toBeGreaterThan(f.events.lastSeq);

    const out = new PrometheusWriter();
    writeFleetFigures(out, later);
    const text = out.text();
    expect(sample(text, 'fleetdeck_agents{liveness="active"}')).toBe(1);
    expect(sample(text, 'fleetdeck_agents{liveness="stale"}')).toBe(1);
    expect(sample(text, 'fleetdeck_queue_depth')).toBe(1);
    expect(sample(text, 'fleetdeck_queue_oldest_age_seconds')).toBe(315);
    expect(sample(text, 'fleetdeck_run_processing_seconds_bucket{le="30"}')).toBe(0);
    expect(sample(text, 'fleetdeck_run_processing_seconds_bucket{le="60"}')).toBe(1);
    expect(sample(text, 'fleetdeck_run_processing_seconds_bucket{le="+Inf"}')).toBe(1);
    expect(sample(text, 'fleetdeck_run_processing_seconds_sum')).toBe(45);
    expect(sample(text, 'fleetdeck_events_total{type="agent.registered"}')).toBe(2);
    expect(text).toContain('# TYPE fleetdeck_run_processing_seconds histogram');
    await worker.close();
    await boss.close();
  });
});

describe('tool call metrics and the Prometheus text format', () => {
  it('counts calls and errors by tool and fills cumulative latency buckets', () => {
    const m = new ToolCallMetrics();
    m.record('heartbeat', 'ok', 0.8);
    m.record('heartbeat', 'ok', 3);
    m.record('heartbeat', 'LEASE_LOST', 7);
    m.record('take_task', 'ok', 40);
    expect(m.totals()).toEqual({ calls: 4, errors: 1 });
    const out = new PrometheusWriter();
    m.write(out);
    const text = out.text();
    expect(sample(text, 'fleetdeck_tool_calls_total{tool="heartbeat",result="ok"}')).toBe(2);
    expect(sample(text, 'fleetdeck_tool_calls_total{tool="heartbeat",result="error"}')).toBe(1);
    expect(sample(text, 'fleetdeck_tool_errors_total{tool="heartbeat",code="LEASE_LOST"}')).toBe(1);
    expect(sample(text, 'fleetdeck_tool_call_duration_seconds_bucket{tool="heartbeat",le="0.001"}')).toBe(1);
    expect(sample(text, 'fleetdeck_tool_call_duration_seconds_bucket{tool="heartbeat",le="0.005"}')).toBe(2);
    expect(sample(text, 'fleetdeck_tool_call_duration_seconds_bucket{tool="heartbeat",le="0.01"}')).toBe(3);
    expect(sample(text, 'fleetdeck_tool_call_duration_seconds_count{tool="heartbeat"}')).toBe(3);
    expect(sample(text, 'fleetdeck_tool_call_duration_seconds_bucket{tool="take_task",le="+Inf"}')).toBe(1);
  });

  it('escapes label values', () => {
    const out = new PrometheusWriter().family('x', 'gauge', 'help with \\ and\nnewline').sample('x', { v: 'a"b\\c\nd' }, 1);
    expect(out.text()).toBe('# HELP x help with \\\\ and\\nnewline\n# TYPE x gauge\nx{v="a\\"b\\\\c\\nd"} 1\n');
  });
});
