import type { LifecyclePart } from '../../lifecycle.js';
import { closeHandoffAtRunEnd, closeOrphanedHandoffs, withdrawHandoffsOfStaleAgent } from './close.js';

/** What handoffs plug into the lifecycle (registered in src/main.ts). */
export const handoffsLifecycle: LifecyclePart = {
  // before the runs' own recovery, so the withdrawn handoffs' runs are recovered with the rest
  staleAgentHooks: [withdrawHandoffsOfStaleAgent],
  expirySteps: [closeOrphanedHandoffs],
  runEndHooks: [closeHandoffAtRunEnd],
};
