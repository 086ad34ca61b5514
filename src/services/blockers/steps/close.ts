/**
 * Blockers in the expiry pass (services/expiry.ts). Tx-only: must not import services/tx.ts.
 */
import type { Tx } from '../../../store/port/index.js';

const BATCH = 100;

/**
 * Expiry step: an open blocker whose run is no longer blocked under the agent it concerns (an
 * operator cancelled, reassigned or requeued the run directly) is closed as `obsolete`, so the
 * open-blockers view only shows questions that still wait on someone.
 */
export async function closeOrphanedBlockers(tx: Tx, now: number): Promise<number> {
  const orphaned = await tx.blockers.listOrphaned(BATCH);
  for (const blocker of orphaned) {
    const run = await tx.runs.get(blocker.runId);
    const reason = run ? `run ${run.state}${run.ownerId && run.ownerId !== blocker.agentId ? ` under ${run.ownerId}` : ''}` : 'run missing';
    if (!await tx.blockers.markObsolete(blocker.id, 'system', reason, now)) continue;
    await tx.events.append(
      { actor: 'system', type: 'blocker.obsolete', agentId: blocker.agentId, runId: blocker.runId, subjectId: blocker.id, payload: { reason } },
      now,
    );
  }
  return orphaned.length;
}
