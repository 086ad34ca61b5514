import type { LifecyclePart } from '../../lifecycle.js';
import { notifySubmitterAtRunEnd } from './end.js';
import { expireQueuedRuns, recoverLapsedLeases, recoverRunsOfStaleAgent, renewRunLeases } from './recovery.js';

/** What runs plug into the lifecycle (registered in src/main.ts). */
export const runsLifecycle: LifecyclePart = {
  staleAgentHooks: [recoverRunsOfStaleAgent],
  expirySteps: [expireQueuedRuns, recoverLapsedLeases],
  renewers: [renewRunLeases],
  runEndHooks: [notifySubmitterAtRunEnd],
};
