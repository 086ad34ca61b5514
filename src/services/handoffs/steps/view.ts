import type { Handoff } from '../../../domain/handoff.js';
import type { Run } from '../../../domain/run.js';
import type { Tx } from '../../../store/port/index.js';
import type { ArtifactSummary } from '../../evidence/steps/artifacts.js';

/** A handoff as list_handoffs, fleet://handoffs and the markdown show it. */
export interface HandoffView {
  handoff: Handoff;
  run: Pick<Run, 'id' | 'title' | 'type' | 'state' | 'leaseEpoch'> | null;
  from: { agentId: string; name: string | null; role: string | null };
  ageMs: number;
}

export async function handoffView(tx: Tx, h: Handoff, now: number): Promise<HandoffView> {
  const run = await tx.runs.get(h.runId);
  const from = await tx.agents.get(h.fromAgentId);
  return {
    handoff: h,
    run: run ? { id: run.id, title: run.title, type: run.type, state: run.state, leaseEpoch: run.leaseEpoch } : null,
    from: { agentId: h.fromAgentId, name: from?.name ?? null, role: from?.role ?? null },
    ageMs: (h.decidedAt ?? now) - h.createdAt,
  };
}

export interface HandoffDetail extends HandoffView {
  to: { agentId: string | null; name: string | null; role: string | null };
  decidedByName: string | null;
  /** the cited evidence that exists, in the order cited */
  evidence: ArtifactSummary[];
  /** the run's handoff chain, oldest first */
  chain: Handoff[];
}
