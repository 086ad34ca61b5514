import { livenessAt, type Liveness } from '../../domain/agent.js';
import type { Blocker, BlockerKind, BlockerState } from '../../domain/blocker.js';
import { notFound } from '../../domain/errors.js';
import type { Run } from '../../domain/run.js';
import type { Tx } from '../../store/port/index.js';
import type { Deps } from '../deps.js';
import { readTx } from '../tx.js';
import { mapSeq } from '../sequential.js';

export interface BlockerListInput {
  /** default: open only */
  states?: BlockerState[];
  run_id?: string;
  agent_id?: string;
  kinds?: BlockerKind[];
  limit?: number;
}

export interface BlockerView {
  blocker: Blocker;
  run: Pick<Run, 'id' | 'title' | 'type' | 'state' | 'leaseEpoch'> | null;
  agent: { agentId: string; name: string | null; liveness: Liveness | null; lastHeartbeatAt: number | null };
  ageMs: number;
}

/** Open blockers oldest first (what waits longest on a person comes first), then decided ones. */
export async function listBlockers(deps: Deps, input: BlockerListInput): Promise<BlockerView[]> {
  return readTx(deps, async (tx, now) =>
    mapSeq(
      await tx.blockers.list({ states: input.states ?? ['open'], runId: input.run_id, agentId: input.agent_id, kinds: input.kinds, limit: Math.min(input.limit ?? 50, 200) }),
      async (b) => await blockerView(tx, b, now),
    ),
  );
}

export async function getBlocker(deps: Deps, blockerId: string): Promise<BlockerView> {
  return readTx(deps, async (tx, now) => {
    const b = await tx.blockers.get(blockerId);
    if (!b) throw notFound('blocker', blockerId, 'list open blockers with list_blockers or fleet://blockers');
    return await blockerView(tx, b, now);
  });
}

export async function blockerView(tx: Tx, b: Blocker, now: number): Promise<BlockerView> {
  const run = await tx.runs.get(b.runId);
  const agent = await tx.agents.get(b.agentId);
  return {
    blocker: b,
    run: run ? { id: run.id, title: run.title, type: run.type, state: run.state, leaseEpoch: run.leaseEpoch } : null,
    agent: { agentId: b.agentId, name: agent?.name ?? null, liveness: agent ? livenessAt(agent, now) : null, lastHeartbeatAt: agent?.lastHeartbeatAt ?? null },
    ageMs: (b.resolvedAt ?? now) - b.createdAt,
  };
}

/**
 * The newest `redirect` decision on the run: the operator's instructions that supersede the
 * run's original ones (shown with the run; the owner also got them as a `redirect` signal).
 */
export async function redirectOfRun(tx: Tx, runId: string): Promise<{ blockerId: string; instructions: string; at: number } | null> {
  const redirects = (await tx.blockers.listByRun(runId)).filter((b) => b.decision === 'redirect' && b.resolution !== null);
  const last = redirects[redirects.length - 1];
  return last ? { blockerId: last.id, instructions: last.resolution!, at: last.resolvedAt! } : null;
}

export async function completeBlockerIds(deps: Deps, prefix: string): Promise<string[]> {
  return readTx(deps, async (tx) => await tx.blockers.listIds(prefix, 50));
}
