import { leaseExpiresAt, livenessAt, recommendedHeartbeatSeconds, type Agent, type AgentStatus, type Liveness, type Usage } from '../domain/agent.js';
import { forbidden, notFound } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { hashToken, newToken, tokenMatches } from '../identity/tokens.js';
import type { Handoff } from '../domain/handoff.js';
import type { Deps } from './deps.js';
import { handoffsWaitingFor } from './handoffs/waiting.js';
import { recordSignOfLife, type Renewal } from './liveness.js';
import { requireRunHolder } from './runs/fencing.js';
import { readTx, writeTx } from './tx.js';
import { checkWorkspaceRoot } from './workspace-root.js';

export interface RegisterInput {
  name: string;
  role: string;
  workspace?: string;
  capabilities?: string[];
  agent_id?: string;
  token?: string;
  /** take `name`, or `name#2`, `name#3`, … : the first no agent has (chosen in the registering transaction) */
  uniqueName?: boolean;
}

export interface Registration {
  agent: Agent;
  /** handoffs offered to this agent or its role, waiting for someone to accept them */
  waitingHandoffs: Handoff[];
  /** only for a new identity: shown once, stored hashed (and in the user-only vault file) */
  token: string | null;
  resumed: boolean;
}

/** Creates a new identity, or resumes one with `agent_id` and its token (or the vault's copy). */
export async function registerAgent(deps: Deps, input: RegisterInput): Promise<Registration> {
  if (input.agent_id) return resumeAgent(deps, input.agent_id, input.token);
  // the root bounds what the agent can attach by path; an agent may not pick one holding the fleet's data
  if (input.workspace !== undefined) checkWorkspaceRoot(input.workspace, deps.settings.dataDir, 'requested');
  else checkWorkspaceRoot(deps.settings.worktree ?? deps.settings.workspace, null, 'server default');
  deps.tokens.checkPlace(); // before the agent exists: its token must have a safe place to go
  const token = newToken();
  const id = newId('agt');
  const agent = await writeTx(deps, async (tx, now) => {
    const created = await tx.agents.insert({
      id,
      name: input.uniqueName ? freeName(new Set((await tx.agents.list()).map((a) => a.name)), input.name) : input.name,
      role: input.role,
      workspace: input.workspace ?? deps.settings.worktree ?? deps.settings.workspace,
      capabilities: input.capabilities ?? [],
      tokenHash: hashToken(token),
      leaseSeconds: deps.settings.agentLeaseSeconds,
      now,
    });
    await tx.events.append(
      {
        actor: id,
        type: 'agent.registered',
        agentId: id,
        payload: { name: created.name, role: created.role, workspace: created.workspace, capabilities: created.capabilities },
      },
      now,
    );
    return { agent: created, waitingHandoffs: await handoffsWaitingFor(tx, created) };
  });
  deps.tokens.save(id, token);
  return { ...agent, token, resumed: false };
}

export async function resumeAgent(deps: Deps, agentId: string, token?: string): Promise<Registration> {
  const secret = token ?? deps.tokens.load(agentId);
  const agent = await writeTx(deps, async (tx, now) => {
    const hash = await tx.agents.tokenHash(agentId);
    if (hash === null) throw notFound('agent', agentId, 'omit agent_id to register a new identity');
    if (secret === null) {
      throw forbidden(
        `no token for ${agentId}`,
        'pass the token you were given at registration; the server keeps a copy only for the OS user that registered it',
      );
    }
    if (!tokenMatches(secret, hash)) throw forbidden(`the token does not match ${agentId}`, 'check agent_id and token');
    // revoking any of the agent's tokens revokes its registration token too (access-tokens.ts)
    if ((await tx.accessTokens.findByHash(hash))?.revokedAt != null) {
      throw forbidden(`the credentials of ${agentId} were revoked`, 'ask the operator for a new token (fleetdeck token create), or register a new identity');
    }
    await recordSignOfLife(tx, agentId, now, false);
    await tx.events.append({ actor: agentId, type: 'agent.resumed', agentId, payload: {} }, now);
    const resumed = (await tx.agents.get(agentId))!;
    return { agent: resumed, waitingHandoffs: await handoffsWaitingFor(tx, resumed) };
  });
  return { ...agent, token: null, resumed: true };
}

/**
 * `serve --agent NAME --role ROLE`: resume the newest identity of that name and role whose token
 * this OS user holds, otherwise register a new one.
 */
export async function registerOrResumeByName(deps: Deps, name: string, role: string): Promise<Registration> {
  const candidates = await readTx(deps, async (tx) => await tx.agents.findByNameRole(name, role));
  for (const candidate of candidates) {
    const token = deps.tokens.load(candidate.id);
    if (token) return resumeAgent(deps, candidate.id, token);
  }
  return registerAgent(deps, { name, role });
}

export interface HeartbeatInput {
  status?: AgentStatus;
  note?: string;
  progress?: number;
  run_id?: string;
  usage?: Partial<Usage>;
}

export interface HeartbeatResult {
  agent: Agent;
  liveness: Liveness;
  renewed: Renewal;
  leaseExpiresAt: number;
  waitingHandoffs: Handoff[];
}

export async function heartbeat(deps: Deps, agentId: string, input: HeartbeatInput): Promise<HeartbeatResult> {
  return writeTx(deps, async (tx, now) => {
    const before = await tx.agents.get(agentId);
    if (!before) throw notFound('agent', agentId);
    // naming a run is a write on it: only its current holder may (LEASE_LOST otherwise, nothing written)
    if (input.run_id !== undefined) await requireRunHolder(tx, input.run_id, agentId, now);
    const reported = reportsSomethingNew(before, input);
    const renewed = await recordSignOfLife(tx, agentId, now, true);
    await tx.agents.applyHeartbeat(agentId, {
      status: input.status,
      note: input.note,
      progress: input.progress,
      currentRunId: input.run_id,
      usage: input.usage,
    });
    if (reported) await tx.events.append(
      {
        actor: agentId,
        type: 'agent.heartbeat',
        agentId,
        runId: input.run_id ?? null,
        payload: {
          ...(input.status ? { status: input.status } : {}),
          ...(input.note !== undefined ? { note: input.note } : {}),
          ...(input.progress !== undefined ? { progress: input.progress } : {}),
          ...(input.usage ? { usage: input.usage } : {}),
        },
      },
      now,
    );
    const agent = (await tx.agents.get(agentId))!;
    return { agent, liveness: livenessAt(agent, now), renewed, leaseExpiresAt: leaseExpiresAt(agent), waitingHandoffs: await handoffsWaitingFor(tx, agent) };
    // status, note and progress are repeated by the next heartbeat; usage adds to totals, so it is kept durably
  }, { signsOfLifeOnly: input.usage === undefined });
}

/**
 * Whether a heartbeat tells the fleet something an operator would read later: a status, note,
 * progress or current run different from what is stored, or usage. Such a heartbeat is an audit
 * event. One that only renews leases is not: liveness is soft state (SPEC §3 "Sessions"), its
 * effect is the agent's last-seen time, and a fleet of a few hundred agents renewing every minute
 * would otherwise write millions of events a week that say nothing (docs/retention.md).
 */
function reportsSomethingNew(agent: Agent, input: HeartbeatInput): boolean {
  if (input.usage !== undefined) return true;
  if (input.status !== undefined && input.status !== agent.status) return true;
  if (input.note !== undefined && input.note !== agent.note) return true;
  if (input.progress !== undefined && input.progress !== agent.progress) return true;
  return input.run_id !== undefined && input.run_id !== agent.currentRunId;
}

/** A sign of life from any tool call of a bound caller. */
export async function touchAgent(deps: Deps, agentId: string): Promise<Renewal> {
  return writeTx(deps, async (tx, now) => await recordSignOfLife(tx, agentId, now, false), { signsOfLifeOnly: true });
}

export async function getAgent(deps: Deps, agentId: string): Promise<{ agent: Agent; liveness: Liveness; waitingHandoffs: Handoff[] }> {
  return readTx(deps, async (tx, now) => {
    const agent = await tx.agents.get(agentId);
    if (!agent) throw notFound('agent', agentId, 'list agents with fleet://agents or fleet_status');
    return { agent, liveness: livenessAt(agent, now), waitingHandoffs: await handoffsWaitingFor(tx, agent) };
  });
}

export async function listAgents(deps: Deps): Promise<{ agent: Agent; liveness: Liveness }[]> {
  return readTx(deps, async (tx, now) => (await tx.agents.list()).map((agent) => ({ agent, liveness: livenessAt(agent, now) })));
}

export function heartbeatSecondsFor(agent: Agent): number {
  return recommendedHeartbeatSeconds(agent.leaseSeconds);
}

/**
 * `base`, or `base#2`, `base#3`, … : the first name no agent of the fleet has, so a message naming
 * an agent never leaves two sessions wondering which of them is meant. (On PostgreSQL two sessions
 * registering in the same instant may still both get one name: nothing locks the name.)
 */
function freeName(taken: Set<string>, base: string): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}#${n}`)) return `${base}#${n}`;
}
