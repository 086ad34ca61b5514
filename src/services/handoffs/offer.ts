import { FleetError, notFound } from '../../domain/errors.js';
import type { FailedAttempt, Handoff } from '../../domain/handoff.js';
import { newId } from '../../domain/ids.js';
import type { Run } from '../../domain/run.js';
import { requireUnblockedLeased } from '../blockers/steps/raise.js';
import type { Deps } from '../deps.js';
import { requireRunWriter } from '../runs/steps/fencing.js';
import { clip, moveRun } from '../runs/steps/transitions.js';
import { writeTx } from '../tx.js';
import { notifyTargets } from './steps/withdraw.js';
import { requireRunEvidence } from './steps/evidence.js';
import { handoffView, type HandoffView } from './queries.js';

export interface HandoffInput {
  run_id: string;
  to_agent?: string;
  to_role?: string;
  summary: string;
  next_action: string;
  changed_files?: string[];
  evidence?: string[];
  failed_attempts?: FailedAttempt[];
  risks?: string[];
  open_questions?: string[];
  lease_epoch?: number;
}

export interface OfferOutcome {
  handoff: Handoff;
  view: HandoffView;
  run: Run;
  /** how many agents got a handoff_offered signal */
  notified: number;
}

/**
 * The owner of a leased run offers it to an agent or to a role. The run waits in
 * `handoff_pending`: the offerer still owns it (it may read it and attach evidence, but not finish
 * it) until the handoff is accepted, declined or withdrawn. One open handoff per run.
 */
export async function offerHandoff(deps: Deps, agentId: string, input: HandoffInput): Promise<OfferOutcome> {
  if (!!input.to_agent === !!input.to_role) {
    throw new FleetError('INVALID_INPUT', 'give exactly one of to_agent or to_role', 'to_agent hands the run to one agent; to_role to the first agent of that role who accepts');
  }
  return writeTx(deps, async (tx, now) => {
    const run = await requireRunWriter(tx, input.run_id, agentId, input.lease_epoch, now);
    await requireUnblockedLeased(tx, run);
    if (input.to_agent) {
      if (input.to_agent === agentId) throw new FleetError('INVALID_INPUT', 'you cannot hand a run to yourself', 'name another agent, or a role');
      if (!await tx.agents.get(input.to_agent)) throw notFound('agent', input.to_agent, 'list agents with fleet://agents, or hand off to_role');
    }
    const evidence = await requireRunEvidence(tx, run.id, input.evidence ?? []);
    const id = newId('hof');
    const pending = await moveRun(tx, run, 'handoff_pending', 'offer_handoff', { stateReason: `handoff ${id}` }, now, {
      actor: agentId,
      type: 'run.handoff_pending',
      payload: { handoff_id: id },
    });
    const handoff = await tx.handoffs.insert({
      id,
      runId: run.id,
      fromAgentId: agentId,
      toAgentId: input.to_agent ?? null,
      toRole: input.to_role ?? null,
      summary: input.summary,
      nextAction: input.next_action,
      changedFiles: [...new Set(input.changed_files ?? [])],
      evidence,
      failedAttempts: input.failed_attempts ?? [],
      risks: input.risks ?? [],
      openQuestions: input.open_questions ?? [],
      offeredEpoch: pending.leaseEpoch,
      now,
    });
    await tx.events.append(
      {
        actor: agentId,
        type: 'handoff.offered',
        agentId,
        runId: run.id,
        subjectId: id,
        payload: {
          to_agent_id: handoff.toAgentId,
          to_role: handoff.toRole,
          summary: clip(handoff.summary, 300),
          next_action: clip(handoff.nextAction, 300),
          evidence: handoff.evidence,
          changed_files: handoff.changedFiles.length,
        },
      },
      now,
    );
    const notified = await notifyTargets(tx, handoff, run, now, 'handoff_offered', (from) =>
      `${from} offers you run ${run.id} "${clip(run.title, 80)}": ${clip(handoff.summary, 160)}. Read fleet://handoffs/${id}, then accept_handoff or decline_handoff`,
    );
    return { handoff, view: await handoffView(tx, handoff, now), run: pending, notified };
  });
}
