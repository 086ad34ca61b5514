/**
 * The work one claim request may cause (issue 13): glob parsing, compiling and comparing are
 * charged to one WorkMeter per request, and paced so that the event loop is handed back to other
 * callers every few milliseconds. See compare.ts and docs/decisions.md ("Claims work budget").
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { FleetError } from '../../domain/errors.js';
import { GlobSyntaxError, WorkBudgetExceeded, type WorkMeter } from '../../domain/glob/index.js';

/**
 * Product steps one request may spend, across compiling, every pair and every retry. About 40,000
 * steps run per millisecond here, so this is ~100 ms of work, paced in slices; ordinary claims
 * spend a few steps per pair.
 */
export const CLAIM_WORK_BUDGET = 4_000_000;

/** What compiling costs, in steps per state or edge of the automaton (measured: ~1 µs each). */
export const STEPS_PER_AUTOMATON_ITEM = 32;

/** Longest stretch the glob work keeps the event loop before letting other callers run. */
const SLICE_MS = 4;

const GLOB_HINT = 'use fewer wildcards and brace alternatives, or claim a broader directory glob such as "src/api/**"';

export function newWorkMeter(): WorkMeter {
  return { left: CLAIM_WORK_BUDGET };
}

export function charge(meter: WorkMeter, steps: number): void {
  meter.left -= steps;
  if (meter.left < 0) throw new WorkBudgetExceeded();
}

/** Hands the event loop back when the current slice has run SLICE_MS (wall time: a scheduling matter, not a rule). */
export class Pacer {
  private sliceStart = performance.now();

  async pause(): Promise<void> {
    if (performance.now() - this.sliceStart < SLICE_MS) return;
    await nextTurn();
    this.sliceStart = performance.now();
  }
}

/** The tool error for a glob failure of requested scope `index` (compared with `claimId`, if any). */
export function globRefusal(error: unknown, index: number, pattern: string, claimId: string | null): unknown {
  if (error instanceof WorkBudgetExceeded) {
    return new FleetError('TOO_LARGE', `scopes: ${error.message}`, GLOB_HINT, { index, pattern });
  }
  if (error instanceof GlobSyntaxError) {
    const against = claimId === null ? '' : ` (compared with claim ${claimId})`;
    return new FleetError('INVALID_INPUT', `scopes.${index}.pattern: ${error.message}${against}`, error.hint, { index, pattern });
  }
  return error;
}
