import { z } from 'zod';
import { AGENT_STATUSES, leaseExpiresAt, type Agent, type Liveness } from '../../domain/agent.js';
import { iso, isoOrNull } from '../schemas.js';

/** An agent as tools, resources and the CLI show it. */
export const agentSchema = z.object({
  agent_id: z.string(),
  name: z.string(),
  role: z.string(),
  workspace: z.string().nullable(),
  capabilities: z.array(z.string()),
  status: z.enum(AGENT_STATUSES),
  note: z.string().nullable(),
  progress: z.number().nullable(),
  current_run_id: z.string().nullable(),
  liveness: z.enum(['active', 'stale']),
  paused: z.boolean(),
  last_seen_at: z.string(),
  last_heartbeat_at: z.string().nullable(),
  lease_expires_at: z.string(),
  registered_at: z.string(),
  usage: z.object({ tokens_in: z.number(), tokens_out: z.number(), cost_usd: z.number() }),
});

export function agentOut(agent: Agent, liveness: Liveness): z.infer<typeof agentSchema> {
  return {
    agent_id: agent.id,
    name: agent.name,
    role: agent.role,
    workspace: agent.workspace,
    capabilities: agent.capabilities,
    status: agent.status,
    note: agent.note,
    progress: agent.progress,
    current_run_id: agent.currentRunId,
    liveness,
    paused: agent.paused,
    last_seen_at: iso(agent.lastSeenAt),
    last_heartbeat_at: isoOrNull(agent.lastHeartbeatAt),
    lease_expires_at: iso(leaseExpiresAt(agent)),
    registered_at: iso(agent.registeredAt),
    usage: agent.usage,
  };
}
