/**
 * Blockers in the lifecycle (blockers/steps/lifecycle.ts): at a run's end and in the expiry pass.
 */
import type { Blocker } from '../../../domain/blocker.js';
import type { Run } from '../../../domain/run.js';
import type { Tx } from '../../../store/port/index.js';
import type { RunEnd } from '../../lifecycle.js';

const BATCH = 100;

/**
 * Run-end hook: the open blocker of a run whose attempt ended while blocked (an operator cancelled,
 * reassigned or closed it directly) is closed as `obsolete`, so the open-blockers view only shows
 * questions that still wait on someone.
 */
export async function closeBlockerAtRunEnd(tx: Tx, end: RunEnd, now: number): Promise<void> {
  if (end.before.state !== 'blocked') return;
  const open = await tx.blockers.openForRun(end.run.id);
  if (open) await markObsolete(tx, open, end.run, now);
}

/**
 * Expiry step, a safety net for runs moved outside the run lifecycle: an open blocker whose run is no longer blocked under the agent it concerns (an
 * operator cancelled, reassigned or requeued the run directly) is closed as `obsolete`, so the
 * open-blockers view only shows questions that still wait on someone.
 */
export async function closeOrphanedBlockers(tx: Tx, now: number): Promise<number> {
  const orphaned = await tx.blockers.listOrphaned(BATCH);
  for (const blocker of orphaned) await markObsolete(tx, blocker, await tx.runs.get(blocker.runId), now);
  return orphaned.length;
}

async function markObsolete(tx: Tx, blocker: Blocker, run: Run | null, now: number): Promise<void> {
  const reason = run ? `run ${run.state}${run.ownerId && run.ownerId !== blocker.agentId ? ` under ${run.ownerId}` : ''}` : 'run missing';
  if (!await tx.blockers.markObsolete(blocker.id, 'system', reason, now)) return;
  await tx.events.append(
    { actor: 'system', type: 'blocker.obsolete', agentId: blocker.agentId, runId: blocker.runId, subjectId: blocker.id, payload: { reason } },
    now,
  );
}
