/**
 * The glob comparisons of a claim decision, run outside any transaction and without holding the
 * event loop: each (requested × held) pair is a resumable search (domain/glob/overlap.ts) charged
 * to the request's work meter (budget.ts), paced so other callers run in between. Over budget, the
 * request is refused with TOO_LARGE; a single pair too complex to search with INVALID_INPUT;
 * either way before any write lock is taken.
 */
import { scopeAutomatonSize, scopesOverlapSteps, type ClaimKind } from '../../domain/claim.js';
import type { WorkMeter } from '../../domain/glob/index.js';
import { charge, globRefusal, Pacer, STEPS_PER_AUTOMATON_ITEM } from './budget.js';
import { pairKey, type ClaimSnapshot, type Comparisons } from './steps/decide.js';

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
        throw globRefusal(error, i, scope.pattern, claim.id);
      }
    }
  }
}
