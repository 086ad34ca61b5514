import { livenessAt } from '../domain/agent.js';
import type { Deps } from './deps.js';
import type { Tx } from '../store/port/index.js';
import { isForgotten } from './operator/bulk.js';
import { readTx } from './tx.js';

export interface RoleCount {
  role: string;
  active: number;
  stale: number;
}

export interface FleetOverview {
  generated_at: string;
  agents: { total: number; active: number; stale: number; paused: number; by_role: RoleCount[] };
  stale_agents: { agent_id: string; name: string; role: string; last_seen_at: string }[];
  last_event_seq: number;
  runs: { queued: number; leased: number; blocked: number; handoff_pending: number; dead: number };
  claims: { active: number };
  /** what waits on a person or a taker: open blockers and offered handoffs, with the oldest's time */
  waiting: { open_blockers: number; oldest_blocker_at: string | null; open_handoffs: number; oldest_handoff_at: string | null };
}

/** The whole fleet at a glance: `fleet://overview` and the `fleet_status` tool show the same. */
export async function fleetOverview(deps: Deps): Promise<FleetOverview> {
  return readTx(deps, async (tx, now) => {
    const agents = await tx.agents.list();
    // forgotten agents (the operator's or retention's, docs/retention.md) still count, but are not listed
    const forgotten = await tx.consoleSessions.forgottenAgents();
    const byRole = new Map<string, RoleCount>();
    let active = 0;
    let paused = 0;
    const stale: FleetOverview['stale_agents'] = [];
    for (const agent of agents) {
      const liveness = livenessAt(agent, now);
      const role = byRole.get(agent.role) ?? { role: agent.role, active: 0, stale: 0 };
      role[liveness]++;
      byRole.set(agent.role, role);
      if (liveness === 'active') active++;
      else if (!isForgotten(agent, forgotten)) stale.push({ agent_id: agent.id, name: agent.name, role: agent.role, last_seen_at: new Date(agent.lastSeenAt).toISOString() });
      if (agent.paused) paused++;
    }
    return {
      generated_at: new Date(now).toISOString(),
      agents: { total: agents.length, active, stale: agents.length - active, paused, by_role: [...byRole.values()] },
      stale_agents: stale.slice(-50),
      last_event_seq: await tx.events.lastSeq(),
      runs: await runSummary(tx),
      claims: { active: await tx.claims.countActive({}) },
      waiting: await waitingSummary(tx),
    };
  });
}

async function runSummary(tx: Tx): Promise<FleetOverview['runs']> {
  const n = await tx.runs.countByState();
  return { queued: n.queued ?? 0, leased: n.leased ?? 0, blocked: n.blocked ?? 0, handoff_pending: n.handoff_pending ?? 0, dead: n.dead ?? 0 };
}

async function waitingSummary(tx: Tx): Promise<FleetOverview['waiting']> {
  const blockers = await tx.blockers.openSummary();
  const handoffs = await tx.handoffs.openSummary();
  const at = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return { open_blockers: blockers.count, oldest_blocker_at: at(blockers.oldestAt), open_handoffs: handoffs.count, oldest_handoff_at: at(handoffs.oldestAt) };
}
