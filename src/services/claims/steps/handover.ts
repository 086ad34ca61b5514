/**
 * Moving a run's claims to a new owner (an accepted handoff) without leaving two agents holding
 * conflicting scopes. An agent's own claims never conflict, so the giver may hold, on another run,
 * a scope overlapping one of the claims it hands away; moved as is, that claim would conflict.
 * Each claim that would move is decided like a claim_scope of the taker (the same candidates,
 * the same glob comparisons and work budget, decide.ts and compare.ts) against every other live
 * agent's claims, the giver's included, leaving out the run's own claims, which all move together.
 * A claim that would conflict, or whose comparison does not fit in the budget, is released instead
 * of moved; the taker is told which and claims them again with claim_scope.
 *
 * Like claim_scope, the comparisons run outside the write transaction on a snapshot
 * (snapshotHandover → compareHandover); the transaction verifies that nothing new appeared
 * (verifyHandover returns null if so; the caller tries again), then handOverClaimsOfRun writes.
 * Takes a Tx; must not import tx.ts.
 */
import type { Claim } from '../../../domain/claim.js';
import { FleetError } from '../../../domain/errors.js';
import type { WorkMeter } from '../../../domain/glob/index.js';
import type { Tx } from '../../../store/port/index.js';
import { mapSeq } from '../../sequential.js';
import { compareSnapshot } from '../compare.js';
import { assembleDecision, comparedAll, snapshotCandidates, type ClaimSnapshot, type Comparisons, type Conflict } from './decide.js';
import { endClaims, transferClaimsOfRun } from './release.js';

/** All of the run's claims: each pair costs budget, so a run with very many ends up with some undecided (released). */
const ALL = 1_000_000;

/** Conflicts named per claim not received (the first ones; claim_scope reports the rest). */
const CONFLICTS_NAMED = 5;

/** Per claim that would move: its one-scope decision snapshot. */
export interface HandoverSnapshot {
  runId: string;
  claims: { claim: Claim; snapshot: ClaimSnapshot }[];
}

/** What was compared so far, by moved claim id; `undecided` claims did not fit in the budget. */
export interface HandoverComparisons {
  byClaim: Map<string, Comparisons>;
  undecided: Set<string>;
}

export function newHandoverComparisons(): HandoverComparisons {
  return { byClaim: new Map(), undecided: new Set() };
}

export interface NotReceived {
  claim: Claim;
  /** 'conflict': it overlaps a scope another agent keeps; 'undecided': too costly to compare here */
  reason: 'conflict' | 'undecided';
  conflicts: Conflict[];
  conflictsTotal: number;
}

export interface Handover {
  /** ids of the claims that moved to the taker */
  moved: string[];
  /** claims released instead of moved: the taker must claim_scope them again */
  notReceived: NotReceived[];
}

/**
 * The run's active claims, each as the taker's request: candidates are the live claims of every
 * agent but the taker (its own never conflict), minus the run's own claims.
 */
export async function snapshotHandover(tx: Tx, runId: string, takerId: string, now: number): Promise<HandoverSnapshot> {
  const held = (await tx.claims.listActive({ runId, limit: ALL })).filter((c) => c.expiresAt > now);
  const claims = await mapSeq(held, async (claim) => {
    const request = {
      scopes: [{ kind: claim.kind, pattern: claim.pattern, prefix: claim.prefix, mode: claim.mode }],
      ttlSeconds: claim.ttlSeconds,
      workspace: claim.workspace,
    };
    const snapshot = await snapshotCandidates(tx, takerId, claim.workspace, request, now);
    snapshot.candidates = snapshot.candidates.map((list) => list.filter((c) => c.claim.runId !== runId));
    return { claim, snapshot };
  });
  return { runId, claims };
}

/**
 * Compares every candidate not compared yet, outside any transaction, charged to `meter`. A claim
 * whose comparison is refused (budget spent, or a pair too complex) is marked undecided: it will
 * be released rather than moved, and the accept still goes through.
 */
export async function compareHandover(snapshot: HandoverSnapshot, comparisons: HandoverComparisons, meter: WorkMeter): Promise<void> {
  for (const { claim, snapshot: one } of snapshot.claims) {
    if (comparisons.undecided.has(claim.id)) continue;
    let compared = comparisons.byClaim.get(claim.id);
    if (!compared) comparisons.byClaim.set(claim.id, (compared = new Map()));
    try {
      await compareSnapshot(one, compared, meter);
    } catch (error) {
      if (error instanceof FleetError && (error.code === 'TOO_LARGE' || error.code === 'INVALID_INPUT')) comparisons.undecided.add(claim.id);
      else throw error;
    }
  }
}

/**
 * Inside the accept's write transaction, before it writes: reads the snapshot again and, when every
 * candidate has been compared, returns which claims would conflict. Returns null when a candidate
 * appeared since the snapshot: compare again.
 */
export async function verifyHandover(tx: Tx, runId: string, takerId: string, now: number, comparisons: HandoverComparisons): Promise<NotReceived[] | null> {
  const fresh = await snapshotHandover(tx, runId, takerId, now);
  const notReceived: NotReceived[] = [];
  for (const { claim, snapshot } of fresh.claims) {
    if (comparisons.undecided.has(claim.id)) {
      notReceived.push({ claim, reason: 'undecided', conflicts: [], conflictsTotal: 0 });
      continue;
    }
    const compared = comparisons.byClaim.get(claim.id);
    if (!compared || !comparedAll(snapshot, compared)) return null;
    const decision = assembleDecision(snapshot, compared);
    if (decision.conflictsTotal > 0) {
      notReceived.push({ claim, reason: 'conflict', conflicts: decision.conflicts.slice(0, CONFLICTS_NAMED), conflictsTotal: decision.conflictsTotal });
    }
  }
  return notReceived;
}

/**
 * Releases the verified conflicting claims (one `claim.released` event each, reason
 * `handoff_conflict`) and moves the rest of the run's claims to the taker (one `claim.transferred`
 * event each), in the caller's transaction.
 */
export async function handOverClaimsOfRun(tx: Tx, runId: string, takerId: string, now: number, notReceived: NotReceived[], handoffId: string): Promise<Handover> {
  for (const n of notReceived) {
    await endClaims(tx, [n.claim], now, 'handoff_conflict', takerId, {
      payload: {
        handoff_id: handoffId,
        to_agent_id: takerId,
        undecided: n.reason === 'undecided',
        conflicts_with: n.conflicts.map((c) => ({ claim_id: c.claim.id, agent_id: c.holder.agentId, pattern: c.claim.pattern, mode: c.claim.mode, witness: c.witness })),
      },
    });
  }
  return { moved: await transferClaimsOfRun(tx, runId, takerId, now, takerId), notReceived };
}
