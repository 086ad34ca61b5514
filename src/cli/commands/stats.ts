import { FleetMetrics, type FleetFigures } from '../../services/metrics.js';
import { flag, withApp, type Command } from '../command.js';
import { colour, printJson, printLine } from '../output.js';

/** The figures /metrics exports, read from the database (tool-call counters live in each server process). */
export function figuresJson(f: FleetFigures) {
  const r = f.runs;
  return {
    at: new Date(f.at).toISOString(),
    schema_version: f.schemaVersion,
    agents: { active: f.agents.active, stale: f.agents.stale, paused: f.agents.paused },
    usage: { tokens_in: f.agents.tokensIn, tokens_out: f.agents.tokensOut, cost_usd: f.agents.costUsd },
    queue: r ? { depth: r.queueDepth, ready: r.queueReady, oldest_ready_age_seconds: r.oldestReadyAgeSeconds, dead_letters: r.deadLetters } : null,
    runs: r
      ? {
          by_state: r.byState,
          retries: r.retries,
          lease_expiries: r.leaseExpiries,
          failures: r.failures,
          processing: { finished: r.processing.count, mean_seconds: r.processing.count ? r.processing.sumMs / r.processing.count / 1000 : null },
          usage: { tokens_in: r.tokensIn, tokens_out: r.tokensOut, cost_usd: r.costUsd },
        }
      : null,
    events: { last_seq: f.events.lastSeq, by_type: f.events.byType },
    agentq: { envelopes_accepted: f.external.received, envelopes_rejected: f.external.rejected, completions_published: f.external.completionsPublished, outbox_backlog: f.external.backlog },
  };
}

export function ago(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}

export const statsCommand: Command = {
  path: ['stats'],
  summary: 'fleet figures (what /metrics exports from the database): agents, queue, runs, usage, events',
  usage: 'fleetdeck stats [--json] [--db PATH]\nTool-call counts and latencies are per server process: scrape /metrics of the HTTP server for those.',
  options: {},
  async run(args) {
    const f = await withApp(args, (app) => new FleetMetrics(app.deps).figures());
    const j = figuresJson(f);
    if (flag(args, 'json')) {
      printJson(j);
      return 0;
    }
    const stale = j.agents.stale > 0 ? colour(String(j.agents.stale), 'yellow') : '0';
    printLine(`${colour('agents', 'bold')}    ${j.agents.active} active, ${stale} stale, ${j.agents.paused} paused`);
    if (j.queue && j.runs) {
      const dead = j.queue.dead_letters > 0 ? colour(String(j.queue.dead_letters), 'red') : '0';
      printLine(
        `${colour('queue', 'bold')}     ${j.queue.depth} queued (${j.queue.ready} ready), oldest ready ${j.queue.ready ? ago(j.queue.oldest_ready_age_seconds) : '-'}, ${dead} dead letter(s)`,
      );
      const states = Object.entries(j.runs.by_state).map(([s, n]) => `${s} ${n}`);
      printLine(`${colour('runs', 'bold')}      ${states.length ? states.join(', ') : 'none'}`);
      printLine(`          ${j.runs.retries} retries, ${j.runs.lease_expiries} lease expiries, ${j.runs.failures} failed result(s)`);
      const mean = j.runs.processing.mean_seconds;
      printLine(`          ${j.runs.processing.finished} finished, mean processing ${mean === null ? '-' : ago(mean)}`);
    } else {
      printLine(`${colour('queue', 'bold')}     (this database has no runs table yet)`);
    }
    printLine(`${colour('usage', 'bold')}     ${j.usage.tokens_in} tokens in, ${j.usage.tokens_out} out, $${j.usage.cost_usd.toFixed(2)} (reported by agents)`);
    const top = Object.entries(j.events.by_type)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 6)
      .map(([type, n]) => `${type} ${n}`);
    printLine(`${colour('events', 'bold')}    ${j.events.last_seq} in the audit log${top.length ? `: ${top.join(', ')}` : ''}`);
    const q = j.agentq;
    if (q.envelopes_accepted + q.envelopes_rejected > 0) {
      printLine(`${colour('agentq', 'bold')}    ${q.envelopes_accepted} envelope(s) accepted, ${q.envelopes_rejected} rejected; ${q.completions_published} completion(s) published, ${q.outbox_backlog} waiting`);
    }
    return 0;
  },
};
