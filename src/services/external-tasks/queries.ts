import type { ExternalTask } from '../../domain/external-task.js';
import { isEventOf } from '../../domain/event.js';
import { notFound } from '../../domain/errors.js';
import type { Run } from '../../domain/run.js';
import type { OutboxEntry } from '../../store/port/external-tasks.js';
import type { Tx } from '../../store/port/index.js';
import type { Deps } from '../deps.js';
import { listRunArtifacts, type ArtifactSummary } from '../evidence/index.js';
import { readTx } from '../tx.js';

export interface ExternalTaskView {
  run: Run;
  link: ExternalTask | null;
  completions: OutboxEntry[];
  evidence: ArtifactSummary[];
}

/** A run by its id (`run_…`) or by the task id it was received with from `origin`. */
export async function resolveRunId(tx: Tx, origin: string, id: string): Promise<string | null> {
  if (id.startsWith('run_') && (await tx.runs.get(id))) return id;
  return (await tx.externalTasks.byTask(origin, id))?.runId ?? null;
}

export function getExternalTaskView(deps: Deps, origin: string, id: string): Promise<ExternalTaskView> {
  return readTx(deps, async (tx) => {
    const runId = await resolveRunId(tx, origin, id);
    const run = runId ? await tx.runs.get(runId) : null;
    if (!run) throw notFound('task', id, `give a run id (run_…) or a task id received from ${origin}`);
    return {
      run,
      link: await tx.externalTasks.byRun(run.id),
      completions: await tx.externalTasks.completionsOf(run.id),
      evidence: await listRunArtifacts(tx, run.id),
    };
  });
}

export interface RejectedTask {
  seq: number;
  at: number;
  taskId: string | null;
  source: string | null;
  reason: string;
}

/** What went to the dead-letter side of `origin`: refused envelopes (from the audit log) and dead runs. */
export function externalDeadLetters(deps: Deps, origin: string, limit: number): Promise<{ rejected: RejectedTask[]; dead: { run: Run; link: ExternalTask }[] }> {
  return readTx(deps, async (tx) => {
    const rejected = (await tx.events.list({ types: ['external_task.rejected'], limit, newestFirst: true }))
      .filter((e) => isEventOf(e, 'external_task.rejected'))
      .filter((e) => e.payload.origin === origin)
      .map((e) => ({ seq: e.seq, at: e.at, taskId: e.payload.task_id, source: e.payload.source, reason: e.payload.reason }));
    const dead: { run: Run; link: ExternalTask }[] = [];
    for (const run of await tx.runs.list({ states: ['dead'], limit: Math.max(limit * 4, 200) })) {
      const link = await tx.externalTasks.byRun(run.id);
      if (link?.origin === origin) dead.push({ run, link });
      if (dead.length >= limit) break;
    }
    return { rejected, dead };
  });
}
