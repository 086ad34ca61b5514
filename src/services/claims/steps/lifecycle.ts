import type { LifecyclePart } from '../../lifecycle.js';
import { expireClaims, releaseClaimsOfStaleAgent } from './expire.js';
import { releaseClaimsAtRunEnd } from './release.js';
import { renewClaims } from './renew.js';

/** What claims plug into the lifecycle (registered in src/main.ts). */
export const claimsLifecycle: LifecyclePart = {
  staleAgentHooks: [releaseClaimsOfStaleAgent],
  expirySteps: [expireClaims],
  renewers: [renewClaims],
  runEndHooks: [releaseClaimsAtRunEnd],
};
