import type { LifecyclePart } from '../../lifecycle.js';
import { closeBlockerAtRunEnd, closeOrphanedBlockers } from './close.js';

/** What blockers plug into the lifecycle (registered in src/main.ts). */
export const blockersLifecycle: LifecyclePart = {
  expirySteps: [closeOrphanedBlockers],
  runEndHooks: [closeBlockerAtRunEnd],
};
