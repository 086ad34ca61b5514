import { invalidState, notFound } from '../../domain/errors.js';
import { isFinished } from '../../domain/run.js';
import type { Deps } from '../deps.js';
import { readTx, writeTx } from '../tx.js';
import { resolveRunId } from './queries.js';

/**
 * A script worker's result file (`agentq complete --result-file F`): remembered on the link, so
 * the completion written when the run ends names it as `result_ref`. Written just before the
 * result; if the result is then refused, `forgetResultFile` takes it back.
 */
export async function rememberResultFile(deps: Deps, origin: string, id: string, resultRef: string, reportedBy: string): Promise<string> {
  return writeTx(deps, async (tx) => {
    const runId = await resolveRunId(tx, origin, id);
    const run = runId ? await tx.runs.get(runId) : null;
    if (!run) throw notFound('task', id, `give a run id (run_…) or a task id received from ${origin}`);
    if (isFinished(run.state)) throw invalidState(`run ${run.id} is already ${run.state}`, 'a finished run takes no more results', { run_id: run.id });
    if (await tx.externalTasks.byRun(run.id)) await tx.externalTasks.setResultRef(run.id, resultRef, reportedBy);
    return run.id;
  });
}

export async function forgetResultFile(deps: Deps, runId: string): Promise<void> {
  await writeTx(deps, async (tx) => {
    const run = await tx.runs.get(runId);
    if (run && !isFinished(run.state) && (await tx.externalTasks.byRun(runId))) await tx.externalTasks.setResultRef(runId, null, null);
  });
}

/** The run id for a run id or a task id of `origin`. */
export async function runIdFor(deps: Deps, origin: string, id: string): Promise<string> {
  return readTx(deps, async (tx) => {
    const runId = await resolveRunId(tx, origin, id);
    if (!runId) throw notFound('task', id, `give a run id (run_…) or a task id received from ${origin}`);
    return runId;
  });
}
