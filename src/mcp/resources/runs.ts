import { eventConcept, type FleetEvent } from '../../domain/event.js';
import { completeRunIds, recentRunIds, runDetail } from '../../services/runs/queries.js';
import { queueStats, type QueueStats } from '../../services/runs/queue-stats.js';
import { iso, isoOrNull } from '../schemas.js';
import { runOut } from '../tools/run-schemas.js';
import { json, variable, type StaticResource, type TemplateResource } from './resource.js';

const LISTED = 100;

export const runResource: TemplateResource = {
  template: 'fleet://runs/{run_id}',
  name: 'run',
  title: 'One run',
  description: 'A run: state, owner, attempts, instructions, result, its active claims, evidence, handoffs, blockers and its timeline (the audit events of the run).',
  mimeType: 'application/json',
  list: async (ctx) =>
    (await recentRunIds(ctx.deps, LISTED)).map((r) => ({ uri: `fleet://runs/${r.id}`, name: r.title, description: r.state })),
  complete: {
    run_id: (ctx, prefix) => completeRunIds(ctx.deps, prefix, LISTED),
  },
  read: async (ctx, _uri, vars) => {
    const d = await runDetail(ctx.deps, variable(vars, 'run_id'));
    return json({
      run: runOut(d.run),
      claims: d.claims.map((c) => ({ ...c, expires_at: iso(c.expires_at) })),
      evidence: d.evidence,
      handoffs: d.handoffs.map((h) => ({ ...h, created_at: iso(h.created_at) })),
      blockers: d.blockers.map((b) => ({ ...b, created_at: iso(b.created_at) })),
      timeline: d.timeline.map(timelineEntry),
      timeline_truncated: d.timelineTruncated,
    });
  },
};

function timelineEntry(e: FleetEvent) {
  return { seq: e.seq, at: iso(e.at), actor: e.actor, type: e.type, agent_id: e.agentId, subject_id: e.subjectId, payload: e.payload };
}

export const queueResource: StaticResource = {
  uri: 'fleet://queue',
  name: 'queue',
  title: 'The task queue',
  description:
    'Depth by role and state, oldest queued age, dead letters with reasons, processing latency p50/p95 (take → result), failure rate, retries, lease expiries, tokens and cost per run and per role.',
  mimeType: 'application/json',
  read: async (ctx) => json(queueOut(await queueStats(ctx.deps))),
};

export function queueOut(s: QueueStats) {
  return {
    ...s,
    generated_at: iso(s.generated_at),
    dead_letters: { ...s.dead_letters, recent: s.dead_letters.recent.map((d) => ({ ...d, finished_at: isoOrNull(d.finished_at) })) },
  };
}

/** Run events change the run's resource and the queue view. */
export function runUrisChangedBy(event: FleetEvent): string[] {
  if (!event.runId) return [];
  return eventConcept(event.type) === 'run' ? [`fleet://runs/${event.runId}`, 'fleet://queue'] : [`fleet://runs/${event.runId}`];
}
