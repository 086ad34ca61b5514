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
  insert(row: NewAgentRow): Promise<Agent>;
  get(id: string): Promise<Agent | null>;
  tokenHash(id: string): Promise<string | null>;
  /** Newest agent with this name and role, for `serve --agent NAME --role ROLE` resumption. */
  findByNameRole(name: string, role: string): Promise<Agent[]>;
  list(): Promise<Agent[]>;
  /** Records a sign of life: moves last_seen and the lease expiry, marks the agent active again. */
  touch(id: string, now: number, heartbeat: boolean): Promise<void>;
  applyHeartbeat(id: string, update: HeartbeatUpdate): Promise<void>;
  /** Agents recorded active whose lease ran out before `now` (uses the expiry index). */
  listExpired(now: number, limit: number): Promise<Agent[]>;
  markStale(id: string, now: number): Promise<void>;
  setPaused(id: string, paused: boolean): Promise<void>;
  /** The earliest lease expiry of an agent recorded active (null: none), for the sweep's next deadline. */
  nextExpiry(): Promise<number | null>;
}
