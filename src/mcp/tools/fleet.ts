import { z } from 'zod';
import { listEvents } from '../../services/audit.js';
import { fleetOverview } from '../../services/overview.js';
import { defineTool } from '../tool.js';

export const overviewSchema = z.object({
  generated_at: z.string(),
  agents: z.object({
    total: z.number(),
    active: z.number(),
    stale: z.number(),
    paused: z.number(),
    by_role: z.array(z.object({ role: z.string(), active: z.number(), stale: z.number() })),
  }),
  stale_agents: z.array(z.object({ agent_id: z.string(), name: z.string(), role: z.string(), last_seen_at: z.string() })),
  last_event_seq: z.number(),
  runs: z
    .object({ queued: z.number(), leased: z.number(), blocked: z.number(), handoff_pending: z.number(), dead: z.number() })
    .describe('live runs by state, and dead letters (fleet://queue has the details)'),
  claims: z.object({ active: z.number() }),
  waiting: z
    .object({ open_blockers: z.number(), oldest_blocker_at: z.string().nullable(), open_handoffs: z.number(), oldest_handoff_at: z.string().nullable() })
    .describe('blockers waiting on an operator (list_blockers) and handoffs waiting on a taker (list_handoffs)'),
});

export const fleetStatusTool = defineTool({
  name: 'fleet_status',
  title: 'The whole fleet at a glance',
  description: 'Read-only overview: agents by liveness, runs by state, claims, waiting blockers and handoffs (as fleet://overview).',
  toolset: 'agent',
  binding: 'none',
  input: z.object({}).strict(),
  output: overviewSchema,
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
  run: (ctx) => fleetOverview(ctx.deps),
  summarize: (o) =>
    `${o.agents.active} active, ${o.agents.stale} stale agent(s); ${o.runs.queued} queued, ${o.runs.leased} leased, ${o.runs.blocked} blocked run(s); ${o.waiting.open_blockers} open blocker(s)`,
});

export const eventSchema = z.object({
  seq: z.number(),
  at: z.string(),
  actor: z.string(),
  type: z.string(),
  agent_id: z.string().nullable(),
  run_id: z.string().nullable(),
  subject_id: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
});

export const listEventsTool = defineTool({
  name: 'list_events',
  title: 'Read the audit log',
  description: 'Read-only page of the audit log: newest events, or those after seq `after`. Filter by agent, run or types.',
  toolset: 'agent',
  binding: 'none',
  input: z
    .object({
      after: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(200).default(50),
      agent_id: z.string().max(64).optional(),
      run_id: z.string().max(64).optional(),
      types: z.array(z.string().max(64)).max(20).optional(),
    })
    .strict(),
  output: z.object({ events: z.array(eventSchema), next_cursor: z.number() }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
  async run(ctx, input) {
    const page = await listEvents(ctx.deps, { after: input.after, limit: input.limit, agentId: input.agent_id, runId: input.run_id, types: input.types });
    return {
      events: page.events.map((e) => ({
        seq: e.seq,
        at: new Date(e.at).toISOString(),
        actor: e.actor,
        type: e.type,
        agent_id: e.agentId,
        run_id: e.runId,
        subject_id: e.subjectId,
        payload: e.payload,
      })),
      next_cursor: page.nextCursor,
    };
  },
  summarize: (o) => `${o.events.length} event(s); continue after ${o.next_cursor}`,
});
