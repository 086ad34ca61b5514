import type { Agent, AgentStatus, Usage } from '../../domain/agent.js';

export interface NewAgentRow {
  id: string;
  name: string;
  role: string;
  workspace: string | null;
  capabilities: string[];
  tokenHash: string;
  leaseSeconds: number;
  now: number;
}

export interface HeartbeatUpdate {
  status?: AgentStatus;
  note?: string | null;
  progress?: number | null;
  currentRunId?: string | null;
  usage?: Partial<Usage>;
}

export interface AgentRepo {
  insert(row: NewAgentRow): Agent;
  get(id: string): Agent | null;
  tokenHash(id: string): string | null;
  /** Newest agent with this name and role, for `serve --agent NAME --role ROLE` resumption. */
  findByNameRole(name: string, role: string): Agent[];
  list(): Agent[];
  /** Records a sign of life: moves last_seen and the lease expiry, marks the agent active again. */
  touch(id: string, now: number, heartbeat: boolean): void;
  applyHeartbeat(id: string, update: HeartbeatUpdate): void;
  /** Agents recorded active whose lease ran out before `now` (uses the expiry index). */
  listExpired(now: number, limit: number): Agent[];
  markStale(id: string, now: number): void;
  setPaused(id: string, paused: boolean): void;
  setSignalCursor(id: string, cursor: number): void;
}
