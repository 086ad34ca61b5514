import type { AgentFigures, RunFigures } from '../store/port/metrics.js';
import type { Deps } from './deps.js';
import { readTx } from './tx.js';

/**
 * Monitoring. Fleet figures (agents by liveness, queue depth and age, dead letters, retries, lease
 * expiries, failures, usage, run processing times, audit events by type) are computed from the
 * database on each scrape, so they are the same whichever process is scraped. Tool calls, their
 * errors and latency are counted in this process (the HTTP server's tool pipeline), as Prometheus
 * counters are meant to be: per process, summed by the query.
 */

/** Tool-call latency buckets, in seconds (an HTTP round trip is a few ms; long polls up to 110 s). */
export const TOOL_LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120] as const;
/** Run processing-time buckets (taken → finished), in seconds: agent work takes minutes to hours. */
export const RUN_PROCESSING_BUCKETS_S = [10, 30, 60, 300, 600, 1800, 3600, 7200, 14400, 43200, 86400] as const;

export interface FleetFigures {
  at: number;
  schemaVersion: number;
  agents: AgentFigures;
  /** null when this database has no runs table yet */
  runs: (RunFigures & { oldestReadyAgeSeconds: number }) | null;
  events: { lastSeq: number; byType: Record<string, number> };
}

/** Keeps a cursor into the audit log so each scrape counts only the events since the last one. */
export class FleetMetrics {
  private readonly byType = new Map<string, number>();
  private cursor = 0;

  constructor(private readonly deps: Deps) {}

  async figures(): Promise<FleetFigures> {
    const after = this.cursor;
    const read = await readTx(this.deps, async (tx, now) => ({
      now,
      delta: await tx.metrics.eventCountsAfter(after),
      agents: await tx.metrics.agentFigures(now),
      runs: await tx.metrics.runFigures(now, RUN_PROCESSING_BUCKETS_S.map((s) => s * 1000)),
    }));
    // applied after the read, so a retried read never counts twice; concurrent scrapes are
    // serialised by the cursor check
    if (this.cursor === after) {
      for (const { type, count } of read.delta.counts) this.byType.set(type, (this.byType.get(type) ?? 0) + count);
      this.cursor = read.delta.lastSeq;
    }
    const { now, runs } = read;
    return {
      at: now,
      schemaVersion: await this.deps.store.schemaVersion(),
      agents: read.agents,
      runs: runs ? { ...runs, oldestReadyAgeSeconds: runs.oldestReadyAt === null ? 0 : Math.max(0, (now - runs.oldestReadyAt) / 1000) } : null,
      events: { lastSeq: this.cursor, byType: Object.fromEntries([...this.byType].sort(([a], [b]) => a.localeCompare(b))) },
    };
  }
}

interface Histogram {
  buckets: number[];
  count: number;
  sum: number;
}

/** In-process counters of the tool pipeline, fed by the `onToolCall` hook of every MCP server. */
export class ToolCallMetrics {
  private readonly calls = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();

  /** `outcome` is 'ok' or an error code (INVALID_INPUT, LEASE_LOST, …). */
  record(tool: string, outcome: string, ms: number): void {
    const ok = outcome === 'ok';
    inc(this.calls, `${tool}\u0000${ok ? 'ok' : 'error'}`);
    if (!ok) inc(this.errors, `${tool}\u0000${outcome}`);
    let h = this.latency.get(tool);
    if (!h) {
      h = { buckets: TOOL_LATENCY_BUCKETS_S.map(() => 0), count: 0, sum: 0 };
      this.latency.set(tool, h);
    }
    const seconds = ms / 1000;
    h.count++;
    h.sum += seconds;
    for (let i = 0; i < TOOL_LATENCY_BUCKETS_S.length; i++) if (seconds <= TOOL_LATENCY_BUCKETS_S[i]!) h.buckets[i]!++;
  }

  totals(): { calls: number; errors: number } {
    let calls = 0;
    let errors = 0;
    for (const n of this.calls.values()) calls += n;
    for (const n of this.errors.values()) errors += n;
    return { calls, errors };
  }

  write(out: PrometheusWriter): void {
    out.family('fleetdeck_tool_calls_total', 'counter', 'Tool calls served by this process, by tool and result.');
    for (const [key, n] of this.calls) {
      const [tool, result] = key.split('\u0000');
      out.sample('fleetdeck_tool_calls_total', { tool: tool!, result: result! }, n);
    }
    out.family('fleetdeck_tool_errors_total', 'counter', 'Tool calls that returned an error, by tool and error code.');
    for (const [key, n] of this.errors) {
      const [tool, code] = key.split('\u0000');
      out.sample('fleetdeck_tool_errors_total', { tool: tool!, code: code! }, n);
    }
    out.family('fleetdeck_tool_call_duration_seconds', 'histogram', 'Time from receiving a tool call to its result, by tool.');
    for (const [tool, h] of this.latency) out.histogram('fleetdeck_tool_call_duration_seconds', { tool }, TOOL_LATENCY_BUCKETS_S, h.buckets, h.count, h.sum);
  }
}

function inc(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** The Prometheus text exposition format (version 0.0.4). */
export class PrometheusWriter {
  private readonly lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, labels: Record<string, string>, value: number): this {
    this.lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    return this;
  }

  /** one gauge or counter family with a single unlabelled sample */
  single(name: string, type: 'counter' | 'gauge', help: string, value: number): this {
    return this.family(name, type, help).sample(name, {}, value);
  }

  /** `cumulative[i]` counts observations ≤ `bounds[i]` */
  histogram(name: string, labels: Record<string, string>, bounds: readonly number[], cumulative: readonly number[], count: number, sum: number): this {
    bounds.forEach((le, i) => this.sample(`${name}_bucket`, { ...labels, le: String(le) }, cumulative[i] ?? 0));
    this.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, count);
    this.sample(`${name}_sum`, labels, sum);
    this.sample(`${name}_count`, labels, count);
    return this;
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Writes the fleet figures as Prometheus families. */
export function writeFleetFigures(out: PrometheusWriter, f: FleetFigures): void {
  out.family('fleetdeck_agents', 'gauge', 'Agents by liveness (active while the last sign of life is younger than the lease).');
  out.sample('fleetdeck_agents', { liveness: 'active' }, f.agents.active);
  out.sample('fleetdeck_agents', { liveness: 'stale' }, f.agents.stale);
  out.single('fleetdeck_agents_paused', 'gauge', 'Agents paused by an operator.', f.agents.paused);
  out.family('fleetdeck_agent_tokens_total', 'counter', 'Model tokens reported by agents (heartbeat usage), by direction.');
  out.sample('fleetdeck_agent_tokens_total', { direction: 'in' }, f.agents.tokensIn);
  out.sample('fleetdeck_agent_tokens_total', { direction: 'out' }, f.agents.tokensOut);
  out.single('fleetdeck_agent_cost_usd_total', 'counter', 'Cost in USD reported by agents.', f.agents.costUsd);
  const r = f.runs;
  if (r) {
    out.family('fleetdeck_runs', 'gauge', 'Runs by state.');
    for (const [state, n] of Object.entries(r.byState)) out.sample('fleetdeck_runs', { state }, n);
    out.single('fleetdeck_queue_depth', 'gauge', 'Queued runs (including those waiting out a retry backoff).', r.queueDepth);
    out.single('fleetdeck_queue_ready', 'gauge', 'Queued runs available to take now.', r.queueReady);
    out.single('fleetdeck_queue_oldest_age_seconds', 'gauge', 'Age of the oldest queued run available now (0 when none).', r.oldestReadyAgeSeconds);
    out.single('fleetdeck_dead_letters', 'gauge', 'Runs in the dead-letter queue.', r.deadLetters);
    out.single('fleetdeck_run_retries_total', 'counter', 'Retries of failed runs (back to the queue with backoff).', r.retries);
    out.single('fleetdeck_run_lease_expiries_total', 'counter', 'Run leases lost because the owner went quiet.', r.leaseExpiries);
    out.single('fleetdeck_run_failures', 'gauge', 'Runs whose accepted result is a failure.', r.failures);
    out.family('fleetdeck_run_tokens_total', 'counter', 'Model tokens reported on runs, by direction.');
    out.sample('fleetdeck_run_tokens_total', { direction: 'in' }, r.tokensIn);
    out.sample('fleetdeck_run_tokens_total', { direction: 'out' }, r.tokensOut);
    out.single('fleetdeck_run_cost_usd_total', 'counter', 'Cost in USD reported on runs.', r.costUsd);
    out.family('fleetdeck_run_processing_seconds', 'histogram', 'Processing time of finished runs, from taken to finished.');
    out.histogram('fleetdeck_run_processing_seconds', {}, RUN_PROCESSING_BUCKETS_S, r.processing.cumulative, r.processing.count, r.processing.sumMs / 1000);
  }
  out.family('fleetdeck_events_total', 'counter', 'Audit events by type (agent.stale, run.retried, token.revoked, …).');
  for (const [type, n] of Object.entries(f.events.byType)) out.sample('fleetdeck_events_total', { type }, n);
  out.single('fleetdeck_audit_last_seq', 'gauge', 'Sequence number of the latest audit event.', f.events.lastSeq);
  out.single('fleetdeck_schema_version', 'gauge', 'Database schema version.', f.schemaVersion);
}
