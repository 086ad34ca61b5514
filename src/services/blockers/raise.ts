import type { Blocker, BlockerKind } from '../../domain/blocker.js';
import type { Run } from '../../domain/run.js';
import type { Deps } from '../deps.js';
import { requireRunEvidence } from '../handoffs/steps/evidence.js';
import { requireRunWriter } from '../runs/steps/fencing.js';
import { writeTx } from '../tx.js';
import { raiseBlockerInTx, requireUnblockedLeased } from './steps/raise.js';
import { blockerView, type BlockerView } from './queries.js';

export interface RaiseBlockerInput {
  run_id: string;
  kind: BlockerKind;
  question: string;
  options?: string[];
  context?: string;
  evidence?: string[];
  lease_epoch?: number;
}

/**
 * The owner of a leased run asks a question only an operator can answer. The run becomes
 * `blocked` (its lease no longer lapses) until the blocker is resolved; the owner learns the
 * decision from the signals of its next result, await_update, or a resource notification.
 */
export async function raiseBlocker(deps: Deps, agentId: string, input: RaiseBlockerInput): Promise<{ blocker: Blocker; run: Run; view: BlockerView }> {
  return writeTx(deps, async (tx, now) => {
    const run = await requireRunWriter(tx, input.run_id, agentId, input.lease_epoch, now);
    await requireUnblockedLeased(tx, run);
    const evidence = await requireRunEvidence(tx, run.id, input.evidence ?? []);
    const raised = await raiseBlockerInTx(
      tx,
      run,
      {
        kind: input.kind,
        question: input.question,
        options: dedupe(input.options ?? []),
        context: input.context ?? null,
        evidence,
        origin: 'agent',
        raisedBy: agentId,
      },
      now,
    );
    return { ...raised, view: await blockerView(tx, raised.blocker, now) };
  });
}

function dedupe(items: string[]): string[] {
  return [...new Set(items)];
}
