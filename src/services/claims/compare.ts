/**
 * The glob comparisons of a claim decision, run outside any transaction and without holding the
 * event loop: each (requested × held) pair is a resumable search (domain/glob/overlap.ts) charged
 * to one work meter for the whole request, and the loop hands the event loop back to other
 * callers every few milliseconds. Over budget, the request is refused with TOO_LARGE; a single
 * pair too large to search with INVALID_INPUT. Either way before any write lock is taken.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { scopesOverlapSteps } from '../../domain/claim.js';
import { FleetError } from '../../domain/errors.js';
import { GlobSyntaxError, WorkBudgetExceeded, type WorkMeter } from '../../domain/glob/index.js';
import { pairKey, type ClaimSnapshot, type Comparisons } from './decide.js';

/**
 * Product steps one request may spend on its comparisons, across every pair and every retry.
 * About 40,000 steps run per millisecond here, so this is ~50 ms of work; ordinary claims spend a
 * few steps per pair (docs/decisions.md, "Claims work budget").
 */
export const CLAIM_WORK_BUDGET = 2_000_000;

/** Longest stretch the comparisons keep the event loop before letting other callers run. */
const SLICE_MS = 4;

const GLOB_HINT = 'use fewer wildcards and brace alternatives, or claim a broader directory glob such as "src/api/**"';

export function newWorkMeter(): WorkMeter {
  return { left: CLAIM_WORK_BUDGET };
}

/** Compares every candidate of the snapshot not compared yet, adding the results to `comparisons`. */
export async function compareSnapshot(snapshot: ClaimSnapshot, comparisons: Comparisons, meter: WorkMeter): Promise<void> {
  let sliceStart = performance.now();
  const pause = async (): Promise<void> => {
    if (performance.now() - sliceStart < SLICE_MS) return;
    await nextTurn();
    sliceStart = performance.now();
  };
  for (let i = 0; i < snapshot.scopes.length; i++) {
    const scope = snapshot.scopes[i]!;
    for (const { claim } of snapshot.candidates[i]!) {
      const key = pairKey(snapshot.workspace, i, claim.id);
      if (comparisons.has(key)) continue;
      try {
        // every pair costs at least a step, so a request over thousands of cheap pairs is bounded too
        if (--meter.left < 0) throw new WorkBudgetExceeded();
        const steps = scopesOverlapSteps(scope.kind, scope.pattern, claim.pattern, meter);
        for (;;) {
          const r = steps.next();
          if (r.done) {
            comparisons.set(key, r.value.overlap ? r.value.witness : null);
            break;
          }
          await pause();
        }
      } catch (error) {
        throw refusal(error, i, scope.pattern, claim.id);
      }
      await pause();
    }
  }
}

function refusal(error: unknown, index: number, pattern: string, claimId: string): unknown {
  if (error instanceof WorkBudgetExceeded) {
    return new FleetError('TOO_LARGE', `scopes: ${error.message}`, GLOB_HINT, { index, pattern });
  }
  if (error instanceof GlobSyntaxError) {
    return new FleetError('INVALID_INPUT', `scopes.${index}.pattern: ${error.message} (compared with claim ${claimId})`, error.hint, { index, pattern });
  }
  return error;
}
