import type { Actor } from '../../domain/actor.js';
import { notFound } from '../../domain/errors.js';
import type { HandoffState } from '../../domain/handoff.js';
import type { Deps } from '../deps.js';
import { listRunArtifacts, type ArtifactSummary } from '../evidence/steps/artifacts.js';
import { readTx } from '../tx.js';
import { mapSeq } from '../sequential.js';
import { handoffView, type HandoffDetail, type HandoffView } from './steps/view.js';

export { handoffView, type HandoffDetail, type HandoffView } from './steps/view.js';

export interface HandoffListInput {
  /** default: offered only */
  states?: HandoffState[];
  run_id?: string;
  /** agents: only handoffs offered to them or their role (default true for an agent caller) */
  to_me?: boolean;
  from_agent?: string;
  /** oldest first, for the aging view (default for open handoffs) */
  oldest_first?: boolean;
  limit?: number;
}

export async function listHandoffs(deps: Deps, actor: Actor, input: HandoffListInput): Promise<HandoffView[]> {
  return readTx(deps, async (tx, now) => {
    const states = input.states ?? ['offered'];
    let toAgentId: string | undefined;
    let toRole: string | undefined;
    const toMe = input.to_me ?? actor.kind === 'agent';
    if (toMe && actor.kind === 'agent') {
      const me = await tx.agents.get(actor.agentId);
      toAgentId = actor.agentId;
      toRole = me?.role;
    }
    const rows = await tx.handoffs.list({
      states,
      runId: input.run_id,
      fromAgentId: input.from_agent,
      toAgentId,
      toRole,
      oldestFirst: input.oldest_first ?? (states.length === 1 && states[0] === 'offered'),
      limit: Math.min(input.limit ?? 50, 200),
    });
    return mapSeq(rows, async (h) => await handoffView(tx, h, now));
  });
}

export async function getHandoff(deps: Deps, handoffId: string): Promise<HandoffDetail> {
  return readTx(deps, async (tx, now) => {
    const h = await tx.handoffs.get(handoffId);
    if (!h) throw notFound('handoff', handoffId, 'list handoffs with list_handoffs');
    const view = await handoffView(tx, h, now);
    const toAgent = h.toAgentId ? await tx.agents.get(h.toAgentId) : null;
    const decider = h.decidedBy?.startsWith('agt_') ? await tx.agents.get(h.decidedBy) : null;
    const artifacts = new Map((await listRunArtifacts(tx, h.runId)).map((a) => [a.id, a]));
    return {
      ...view,
      to: { agentId: h.toAgentId, name: toAgent?.name ?? null, role: h.toRole ?? toAgent?.role ?? null },
      decidedByName: decider?.name ?? null,
      evidence: h.evidence.map((id) => artifacts.get(id)).filter((a): a is ArtifactSummary => a !== undefined),
      chain: await tx.handoffs.listByRun(h.runId),
    };
  });
}

export async function completeHandoffIds(deps: Deps, prefix: string): Promise<string[]> {
  return readTx(deps, async (tx) => await tx.handoffs.listIds(prefix, 50));
}
