/** Glossary: an agent is an identity doing work; liveness is derived from its last sign of life. */
export const AGENT_STATUSES = ['idle', 'working', 'waiting', 'blocked', 'done'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export type Liveness = 'active' | 'stale';

export interface Usage {
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
}

export interface Agent {
  id: string;
  name: string;
  role: string;
  workspace: string | null;
  capabilities: string[];
  status: AgentStatus;
  note: string | null;
  progress: number | null;
  currentRunId: string | null;
  leaseSeconds: number;
  registeredAt: number;
  lastSeenAt: number;
  lastHeartbeatAt: number | null;
  /** What the last sweep recorded; `livenessAt(agent, now)` is the truth between sweeps. */
  recordedLiveness: Liveness;
  staleSince: number | null;
  paused: boolean;
  usage: Usage;
}

/** An agent is active while its last sign of life is younger than its lease. */
export function livenessAt(agent: Pick<Agent, 'lastSeenAt' | 'leaseSeconds'>, now: number): Liveness {
  return now - agent.lastSeenAt < agent.leaseSeconds * 1000 ? 'active' : 'stale';
}

export function leaseExpiresAt(agent: Pick<Agent, 'lastSeenAt' | 'leaseSeconds'>): number {
  return agent.lastSeenAt + agent.leaseSeconds * 1000;
}

/** Heartbeat interval we recommend to agents: a third of the lease, so two may be missed. */
export function recommendedHeartbeatSeconds(leaseSeconds: number): number {
  return Math.max(1, Math.floor(leaseSeconds / 3));
}
