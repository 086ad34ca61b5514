import { livenessAt } from '../../domain/agent.js';
import type { Handoff } from '../../domain/handoff.js';
import type { Run } from '../../domain/run.js';
import { blockerView, type BlockerView } from '../blockers/queries.js';
import type { Deps } from '../deps.js';
import { readTx } from '../tx.js';
import { mapSeq } from '../sequential.js';

/** A handoff older than this without a taker is "aging". */
export const AGING_HANDOFF_MS = 15 * 60 * 1000;

export interface StaleAgentRow {
  agentId: string;
  name: string;
  role: string;
  lastSeenAt: number;
  lastHeartbeatAt: number | null;
  /** runs it still owns (blocked or handoff_pending: those do not lapse) */
  runs: string[];
}

export interface Triage {
  now: number;
  blockers: BlockerView[];
  staleAgents: StaleAgentRow[];
  agingHandoffs: (Handoff & { ageMs: number })[];
  openHandoffs: number;
  deadLetters: Pick<Run, 'id' | 'title' | 'type' | 'deadReason' | 'lastError' | 'finishedAt' | 'attempts'>[];
  pausedAgents: { agentId: string; name: string; role: string }[];
}

/**
 * What needs a person now, in one snapshot: open blockers (oldest first), stale agents and what
 * they still hold, handoffs nobody took, dead letters, paused agents. The operator-triage prompt
 * and `fleetdeck triage` render it.
 */
export async function triage(deps: Deps, limit = 20): Promise<Triage> {
  return readTx(deps, async (tx, now) => {
    const agents = await tx.agents.list();
    const stale = agents.filter((a) => livenessAt(a, now) === 'stale');
    const offered = await tx.handoffs.list({ states: ['offered'], oldestFirst: true, limit: 200 });
    return {
      now,
      blockers: await mapSeq(await tx.blockers.list({ states: ['open'], limit }), async (b) => await blockerView(tx, b, now)),
      staleAgents: await mapSeq(stale.sort((a, b) => b.lastSeenAt - a.lastSeenAt).slice(0, limit), async (a) => ({
          agentId: a.id,
          name: a.name,
          role: a.role,
          lastSeenAt: a.lastSeenAt,
          lastHeartbeatAt: a.lastHeartbeatAt,
          runs: (await tx.runs.listOwnedBy(a.id, ['leased', 'blocked', 'handoff_pending'])).map((r) => r.id),
        })),
      agingHandoffs: offered
        .map((h) => ({ ...h, ageMs: now - h.createdAt }))
        .filter((h) => h.ageMs >= AGING_HANDOFF_MS)
        .slice(0, limit),
      openHandoffs: offered.length,
      deadLetters: (await tx.runs
        .list({ states: ['dead'], limit }))
        .map((r) => ({ id: r.id, title: r.title, type: r.type, deadReason: r.deadReason, lastError: r.lastError, finishedAt: r.finishedAt, attempts: r.attempts })),
      pausedAgents: agents.filter((a) => a.paused).map((a) => ({ agentId: a.id, name: a.name, role: a.role })),
    };
  });
}
