/** Scope claims: decide, grant, renew, release, transfer, list. */
export { claimScope, checkScope, type ClaimOutcome, type CheckOutcome, type GrantedClaim } from './claim.js';
export { prepareClaimRequest, type ClaimInput, type Conflict, type Decision, type Holder, type ScopeInput } from './steps/decide.js';
export { releaseClaimsOfAgent, releaseClaimsOfRun, transferClaimsOfRun, endClaims } from './steps/release.js';
export { releaseScope, forceRelease, type ReleaseOutcome } from './release-scope.js';
export { listActiveClaims, listClaims, type ClaimListing, type ClaimView } from './queries.js';
export { guardViolations, type GuardViolation } from './guard.js';
export { renewClaims } from './steps/renew.js';
export { expireClaims, releaseClaimsOfStaleAgent } from './steps/expire.js';
export { compareHandover, handOverClaimsOfRun, newHandoverComparisons, snapshotHandover, verifyHandover, type Handover, type NotReceived } from './steps/handover.js';
