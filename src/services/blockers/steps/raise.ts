/**
 * Raising a blocker inside a caller's transaction: used by raise_blocker, the policy rules and the
 * stale-owner escalation (an expiry hook).
 */
import { FleetError, invalidState } from '../../../domain/errors.js';
import { type Blocker, type BlockerKind, type BlockerOrigin } from '../../../domain/blocker.js';
import { newId } from '../../../domain/ids.js';
import type { Run } from '../../../domain/run.js';
import type { Tx } from '../../../store/port/index.js';
import { clip, moveRun } from '../../runs/steps/transitions.js';
import type { PolicyRule, PolicySubject } from '../../../domain/policy.js';

export interface BlockerSpec {
  kind: BlockerKind;
  question: string;
  options: string[];
  context: string | null;
  evidence: string[];
  origin: BlockerOrigin;
  raisedBy: string;
  policyRule?: PolicyRule;
  policySubject?: PolicySubject;
}

/** A run can take a blocker (or a handoff) only while plainly leased: one open question at a time. */
export async function requireUnblockedLeased(tx: Tx, run: Run): Promise<void> {
  if (run.state === 'blocked') {
    const open = await tx.blockers.openForRun(run.id);
    throw invalidState(
      `run ${run.id} is already blocked${open ? ` on ${open.id} (${open.kind}): ${clip(open.question, 120)}` : ''}`,
      open ? `wait for the decision: await_update with blocker_id ${open.id}` : 'wait for an operator decision (await_update on the run)',
      { run_id: run.id, state: run.state, ...(open ? { blocker_id: open.id } : {}) },
    );
  }
  if (run.state === 'handoff_pending') {
    const open = await tx.handoffs.openForRun(run.id);
    throw invalidState(
      `run ${run.id} waits on handoff ${open?.id ?? '?'}`,
      open ? `withdraw_handoff ${open.id} first, or await_update with handoff_id ${open.id}` : 'await_update on the run',
      { run_id: run.id, state: run.state, ...(open ? { handoff_id: open.id } : {}) },
    );
  }
  if (run.state !== 'leased') throw invalidState(`run ${run.id} is ${run.state}`, 'read it with get_run', { run_id: run.id, state: run.state });
}

/**
 * Inside a caller's transaction: records the blocker and, unless the run is already blocked (an
 * escalation blocks it first), moves it leased → blocked. One `blocker.raised` event.
 */
export async function raiseBlockerInTx(tx: Tx, run: Run, spec: BlockerSpec, now: number): Promise<{ blocker: Blocker; run: Run }> {
  if (!run.ownerId) throw invalidState(`run ${run.id} has no owner`, 'only an owned run can be blocked', { run_id: run.id });
  const id = newId('blk');
  let blocked = run;
  if (run.state !== 'blocked') {
    blocked = await moveRun(tx, run, 'blocked', 'block', { stateReason: `blocker ${id}` }, now, {
      actor: spec.raisedBy,
      type: 'run.blocked',
      payload: { blocker_id: id, kind: spec.kind },
    });
  }
  let blocker: Blocker;
  try {
    blocker = await tx.blockers.insert({
      id,
      runId: run.id,
      agentId: run.ownerId,
      raisedBy: spec.raisedBy,
      origin: spec.origin,
      kind: spec.kind,
      question: spec.question,
      options: spec.options,
      context: spec.context,
      evidence: spec.evidence,
      policyRule: spec.policyRule ?? null,
      policySubject: spec.policySubject ?? null,
      now,
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new FleetError('INVALID_STATE', `run ${run.id} already has an open blocker`, 'await_update on the run until it is resolved');
    }
    throw error;
  }
  await tx.events.append(
    {
      actor: spec.raisedBy,
      type: 'blocker.raised',
      agentId: run.ownerId,
      runId: run.id,
      subjectId: blocker.id,
      payload: {
        kind: blocker.kind,
        origin: blocker.origin,
        question: clip(blocker.question, 500),
        options: blocker.options,
        evidence: blocker.evidence,
        ...(blocker.policyRule ? { policy_rule: blocker.policyRule } : {}),
      },
    },
    now,
  );
  return { blocker, run: blocked };
}
