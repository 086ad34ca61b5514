import type { LifecyclePart } from '../../lifecycle.js';
import { recordRunEnd } from './on-run-end.js';

/** What runs from other systems plug into the lifecycle (registered in src/main.ts): the outbox. */
export const externalTasksLifecycle: LifecyclePart = {
  runEndHooks: [recordRunEnd],
};
