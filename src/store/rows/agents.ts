import type { Agent, AgentStatus } from '../../domain/agent.js';
import { parseJson } from './json.js';

export interface AgentRow {
  id: string;
  name: string;
  role: string;
  workspace: string | null;
  capabilities: string;
  status: string;
  note: string | null;
  progress: number | null;
  current_run_id: string | null;
  lease_seconds: number;
  registered_at: number;
  last_seen_at: number;
  last_heartbeat_at: number | null;
  liveness: string;
  stale_since: number | null;
  paused: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
}

export function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    workspace: row.workspace,
    capabilities: parseJson<string[]>(row.capabilities, []),
    status: row.status as AgentStatus,
    note: row.note,
    progress: row.progress,
    currentRunId: row.current_run_id,
    leaseSeconds: row.lease_seconds,
    registeredAt: row.registered_at,
    lastSeenAt: row.last_seen_at,
    lastHeartbeatAt: row.last_heartbeat_at,
    recordedLiveness: row.liveness === 'stale' ? 'stale' : 'active',
    staleSince: row.stale_since,
    paused: row.paused === 1,
    usage: { tokens_in: row.tokens_in, tokens_out: row.tokens_out, cost_usd: row.cost_usd },
  };
}
