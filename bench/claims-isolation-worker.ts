/** Worker side of bench/claims-isolation.ts: runs one request's comparisons off the main thread. */
import { parentPort } from 'node:worker_threads';
import { scopesOverlapSteps, type ClaimKind } from '../src/domain/claim.js';
import { WorkBudgetExceeded, type WorkMeter } from '../src/domain/glob/index.js';

interface Job {
  id: number;
  kind: ClaimKind;
  requested: string[];
  held: string[];
  budget: number;
}

parentPort!.on('message', (job: Job) => {
  const meter: WorkMeter = { left: job.budget };
  let conflicts = 0;
  try {
    for (const r of job.requested) {
      for (const h of job.held) {
        const steps = scopesOverlapSteps(job.kind, r, h, meter);
        for (;;) {
          const step = steps.next();
          if (step.done) {
            if (step.value.overlap) conflicts++;
            break;
          }
        }
      }
    }
    parentPort!.postMessage({ id: job.id, conflicts });
  } catch (error) {
    parentPort!.postMessage({ id: job.id, error: error instanceof WorkBudgetExceeded ? 'TOO_LARGE' : String(error) });
  }
});
