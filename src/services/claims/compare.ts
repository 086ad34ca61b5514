/**
 * The glob work of a claim decision, run outside any transaction and without holding the event
 * loop: compiling the patterns and comparing each (requested × held) pair, as resumable searches
 * (domain/glob/overlap.ts) charged to one work meter for the whole request. Every few milliseconds
 * the loop hands the event loop back to other callers. Over budget, the request is refused with
 * TOO_LARGE; a single pattern or pair too complex to search with INVALID_INPUT; either way before
 * any write lock is taken.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { scopeAutomatonSize, scopesOverlapSteps, type ClaimKind } from '../../domain/claim.js';
import { FleetError } from '../../domain/errors.js';
import { GlobSyntaxError, WorkBudgetExceeded, type WorkMeter } from '../../domain/glob/index.js';
import { pairKey, type ClaimSnapshot, type Comparisons, type PreparedRequest } from './decide.js';

/**
 * Product steps one request may spend, across compiling, every pair and every retry. About 40,000
 * steps run per millisecond here, so this is ~100 ms of work, paced in slices; ordinary claims
 * spend a few steps per pair (docs/decisions.md, "Claims work budget").
 */
export const CLAIM_WORK_BUDGET = 4_000_000;

/** What compiling costs, in steps per state or edge of the automaton (measured: ~1 µs each). */
const STEPS_PER_AUTOMATON_ITEM = 32;

/** Longest stretch the glob work keeps the event loop before letting other callers run. */
const SLICE_MS = 4;

const GLOB_HINT = 'use fewer wildcards and brace alternatives, or claim a broader directory glob such as "src/api/**"';

export function newWorkMeter(): WorkMeter {
  return { left: CLAIM_WORK_BUDGET };
}

/** Hands the event loop back when the current slice has run SLICE_MS. */
class Pacer {
  private sliceStart = performance.now();

  async pause(): Promise<void> {
    if (performance.now() - this.sliceStart < SLICE_MS) return;
    await nextTurn();
    this.sliceStart = performance.now();
  }
}

function charge(meter: WorkMeter, steps: number): void {
  meter.left -= steps;
  if (meter.left < 0) throw new WorkBudgetExceeded();
}

/** Compiles every requested pattern (refusing one too complex) before anything is read or compared. */
export async function compileRequest(request: PreparedRequest, meter: WorkMeter): Promise<void> {
  const pacer = new Pacer();
  for (const [i, scope] of request.scopes.entries()) {
    await pacer.pause();
    try {
      charge(meter, scopeAutomatonSize(scope.kind, scope.pattern) * STEPS_PER_AUTOMATON_ITEM);
    } catch (error) {
      throw refusal(error, i, scope.pattern, null);
    }
  }
}

/** Compares every candidate of the snapshot not compared yet, adding the results to `comparisons`. */
export async function compareSnapshot(snapshot: ClaimSnapshot, comparisons: Comparisons, meter: WorkMeter): Promise<void> {
  const pacer = new Pacer();
  const charged = new Set<string>();
  const chargeCompile = (kind: ClaimKind, pattern: string): void => {
    const key = `${kind}\u0000${pattern}`;
    if (charged.has(key)) return;
    charged.add(key);
    charge(meter, scopeAutomatonSize(kind, pattern) * STEPS_PER_AUTOMATON_ITEM);
  };
  for (let i = 0; i < snapshot.scopes.length; i++) {
    const scope = snapshot.scopes[i]!;
    for (const { claim } of snapshot.candidates[i]!) {
      const key = pairKey(snapshot.workspace, i, claim.id);
      if (comparisons.has(key)) continue;
      await pacer.pause();
      try {
        // every pair costs at least a step, so thousands of cheap pairs are bounded too
        charge(meter, 1);
        chargeCompile(claim.kind, claim.pattern);
        const steps = scopesOverlapSteps(scope.kind, scope.pattern, claim.pattern, meter);
        for (;;) {
          const r = steps.next();
          if (r.done) {
            comparisons.set(key, r.value.overlap ? r.value.witness : null);
            break;
          }
          await pacer.pause();
        }
      } catch (error) {
        throw refusal(error, i, scope.pattern, claim.id);
      }
    }
  }
}

function refusal(error: unknown, index: number, pattern: string, claimId: string | null): unknown {
  if (error instanceof WorkBudgetExceeded) {
    return new FleetError('TOO_LARGE', `scopes: ${error.message}`, GLOB_HINT, { index, pattern });
  }
  if (error instanceof GlobSyntaxError) {
    const against = claimId === null ? '' : ` (compared with claim ${claimId})`;
    return new FleetError('INVALID_INPUT', `scopes.${index}.pattern: ${error.message}${against}`, error.hint, { index, pattern });
  }
  return error;
}
