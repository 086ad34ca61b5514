import { z } from 'zod';
import { AGENT_STATUSES, type Agent, type Liveness } from '../../domain/agent.js';
import { FleetError, invalidState } from '../../domain/errors.js';
import { LIMITS } from '../../domain/limits.js';
import { getAgent, heartbeat, heartbeatSecondsFor, registerAgent, resumeAgent } from '../../services/agents.js';
import { describeSelf } from '../../services/self.js';
import { agentId, iso, name, role, runId, shortText, signalOut, signalSchema, usageInput, waitingHandoffsField, waitingHandoffsOut } from '../schemas.js';
import type { Handoff } from '../../domain/handoff.js';
import { defineTool } from '../tool.js';
import { agentOut, agentSchema } from './agent-schemas.js';
import { ownClaimOut, ownClaimSchema } from './claim-schemas.js';

const usage = usageInput.describe('usage since your last report');

export const registerAgentTool = defineTool({
  name: 'register_agent',
  title: 'Register or resume',
  description: 'Call first: binds this connection to an identity. New: name and role (e.g. implementer, reviewer). Returning: agent_id (+ token from another OS user). Returns agent_id, a token shown once, and the heartbeat interval.',
  toolset: 'agent',
  binding: 'none',
  input: z
    .object({
      name: name.optional(),
      role: role.optional(),
      workspace: z.string().max(LIMITS.pattern).optional().describe('absolute path of your working tree'),
      capabilities: z.array(z.string().max(LIMITS.name)).max(LIMITS.capabilities).optional(),
      agent_id: agentId.optional().describe('resume this identity'),
      token: z.string().max(200).optional().describe('needed only from another OS user'),
    })
    .strict()
    .refine((input) => input.agent_id !== undefined || (input.name !== undefined && input.role !== undefined), {
      message: 'give name and role for a new identity, or agent_id to resume one',
      path: ['name'],
    }),
  output: z.object({
    agent_id: z.string(),
    token: z.string().optional().describe('only for a new identity: keep it to resume elsewhere; never shown again'),
    resumed: z.boolean(),
    agent: agentSchema,
    lease_seconds: z.number(),
    heartbeat_seconds: z.number(),
    waiting_handoffs: waitingHandoffsField,
  }),
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
  async run(ctx, input) {
    if (ctx.session.isOperator) {
      throw new FleetError('FORBIDDEN', 'this process is bound to the operator', 'start an agent process (fleetdeck serve) to register agents');
    }
    const bound = ctx.session.agentId;
    if (bound) {
      // Already bound (an earlier register, `serve --agent`, or an HTTP token): the same identity
      // is answered as it is; another one is refused.
      const current = await getAgent(ctx.deps, bound);
      const same = input.agent_id ? input.agent_id === bound : current.agent.name === input.name && current.agent.role === input.role;
      if (!same) {
        throw invalidState(
          `this connection is already bound to ${bound} (${current.agent.name}, ${current.agent.role})`,
          'one server process (or one HTTP token) is one identity: start another fleetdeck process for another agent',
        );
      }
      return registrationOut(current.agent, current.liveness, null, true, current.waitingHandoffs);
    }
    const { agent_id: agentId, name: agentName, role: agentRole } = input;
    const registration = agentId
      ? await resumeAgent(ctx.deps, agentId, input.token)
      : await registerAgent(ctx.deps, { ...input, name: agentName!, role: agentRole! });
    ctx.session.bindAgent(registration.agent.id);
    return registrationOut(registration.agent, 'active', registration.token, registration.resumed, registration.waitingHandoffs);
  },
  summarize: (out) => `${out.resumed ? 'resumed' : 'registered'} ${out.agent.name} as ${out.agent_id} (${out.agent.role}); show a sign of life at least every ${out.heartbeat_seconds}s`,
});

function registrationOut(agent: Agent, liveness: Liveness, token: string | null, resumed: boolean, waiting: Handoff[]) {
  return {
    agent_id: agent.id,
    ...(token ? { token } : {}),
    resumed,
    agent: agentOut(agent, liveness),
    lease_seconds: agent.leaseSeconds,
    heartbeat_seconds: heartbeatSecondsFor(agent),
    ...waitingHandoffsOut(waiting),
    next: waiting.length > 0 ? acceptHint(waiting) : 'claim_scope before editing files, or take_task to get queued work',
  };
}

function acceptHint(waiting: Handoff[]): string {
  return `${waiting.length} handoff(s) wait for you (first: ${waiting[0]!.id} on run ${waiting[0]!.runId}): read fleet://handoffs/${waiting[0]!.id}, then accept_handoff or decline_handoff`;
}

export const heartbeatTool = defineTool({
  name: 'heartbeat',
  title: 'Report progress',
  description: 'Say you are alive and what you do. Renews your leases and claims (any call does; use it when quiet a while). Returns liveness, renewals and signals.',
  toolset: 'agent',
  binding: 'agent',
  input: z
    .object({
      status: z.enum(AGENT_STATUSES).optional(),
      note: shortText.optional().describe('what you are doing now'),
      progress: z.number().min(0).max(1).optional(),
      run_id: runId.optional(),
      usage: usage.optional(),
    })
    .strict(),
  output: z.object({
    agent_id: z.string(),
    liveness: z.enum(['active', 'stale']),
    lease_expires_at: z.string(),
    heartbeat_seconds: z.number(),
    renewed: z.object({ runs: z.array(z.string()), claims: z.array(z.string()) }),
    waiting_handoffs: waitingHandoffsField,
  }),
  annotations: { readOnlyHint: false, idempotentHint: true, destructiveHint: false },
  async run(ctx, input) {
    const result = await heartbeat(ctx.deps, ctx.session.requireAgent(), input);
    return {
      agent_id: result.agent.id,
      liveness: result.liveness,
      lease_expires_at: iso(result.leaseExpiresAt),
      heartbeat_seconds: heartbeatSecondsFor(result.agent),
      renewed: result.renewed,
      ...waitingHandoffsOut(result.waitingHandoffs),
      ...(result.waitingHandoffs.length > 0 ? { next: acceptHint(result.waitingHandoffs) } : {}),
    };
  },
  summarize: (out) => `alive until ${out.lease_expires_at}; renewed ${out.renewed.runs.length} run(s), ${out.renewed.claims.length} claim(s)`,
});

export const whoamiTool = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description: 'Who this connection acts as (agent or operator): liveness, lease, current run, claims, recent signals. Use after a restart or when unsure.',
  toolset: 'agent',
  binding: 'none',
  input: z.object({}).strict(),
  output: z.object({
    bound: z.boolean(),
    kind: z.enum(['agent', 'operator', 'unbound']),
    agent: agentSchema.optional(),
    operator: z.string().optional(),
    recent_signals: z.array(signalSchema),
    claims: z.array(ownClaimSchema).optional().describe('your active claims'),
    waiting_handoffs: waitingHandoffsField,
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
  async run(ctx) {
    const actor = ctx.session.actor;
    if (actor.kind === 'operator') return { bound: true, kind: 'operator' as const, operator: actor.name, recent_signals: [] };
    if (actor.kind !== 'agent') {
      return { bound: false, kind: 'unbound' as const, recent_signals: [], next: 'call register_agent with your name and role' };
    }
    const self = await describeSelf(ctx.deps, actor.agentId);
    return {
      bound: true,
      kind: 'agent' as const,
      agent: agentOut(self.agent, self.liveness),
      recent_signals: self.recentSignals.map((s) => ({ ...signalOut(s), acknowledged: s.acknowledgedAt !== null })),
      claims: self.claims.claims.map(ownClaimOut),
      ...waitingHandoffsOut(self.waitingHandoffs),
      ...(self.waitingHandoffs.length > 0 ? { next: acceptHint(self.waitingHandoffs) } : {}),
    };
  },
  summarize: (out) =>
    out.kind === 'agent' && out.agent ? `${out.agent.name} (${out.agent.agent_id}, ${out.agent.role}) is ${out.agent.liveness}` : out.kind === 'operator' ? `operator ${out.operator}` : 'not registered',
});

