import { z } from 'zod';
import { cancelRunAsOperator } from '../../services/runs/cancel.js';
import { reassignRun, requeueRun } from '../../services/runs/operator.js';
import { agentId, role, runId, shortText } from '../schemas.js';
import { defineTool } from '../tool.js';
import { cancelInput, cancelOut, cancelOutput, runSummaryOut, runSummarySchema } from './run-schemas.js';

export const requeueRunTool = defineTool({
  name: 'requeue_run',
  title: 'Requeue a dead, failed or cancelled run',
  description: 'Starts a new attempt of a finished run (a dead letter, a failure, a cancellation): back in the queue now, history kept, one more attempt allowed if the budget was spent.',
  toolset: 'operator',
  binding: 'any',
  input: z.object({ run_id: runId, reason: shortText.optional() }).strict(),
  output: z.object({ run: runSummarySchema }),
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: false },
  async run(ctx, input) {
    return { run: runSummaryOut(await requeueRun(ctx.deps, ctx.actor, input)) };
  },
  summarize: (o) => `requeued ${o.run.run_id} (attempt budget ${o.run.max_attempts})`,
});

export const cancelRunTool = defineTool({
  name: 'cancel_run',
  title: 'Cancel any open run',
  description: 'Cancels a run in any open state: revokes its lease, releases its claims, signals the holder (cancel) and the submitter (run_finished).',
  toolset: 'operator',
  binding: 'any',
  input: cancelInput,
  output: cancelOutput,
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: true },
  async run(ctx, input) {
    return cancelOut(await cancelRunAsOperator(ctx.deps, ctx.actor, input));
  },
  summarize: (o) => `cancelled ${o.run.run_id}`,
});

export const reassignRunTool = defineTool({
  name: 'reassign_run',
  title: 'Reassign an open run to an agent or a role',
  description:
    'Revokes the current lease (the epoch moves on; the old owner gets lease_lost and loses its claims on the run) and queues the run for to_agent (who gets run_assigned) or to_role.',
  toolset: 'operator',
  binding: 'any',
  input: z.object({ run_id: runId, to_agent: agentId.optional(), to_role: role.optional(), reason: shortText.optional() }).strict(),
  output: z.object({ run: runSummarySchema, revoked_owner: z.string().nullable(), released_claims: z.array(z.string()) }),
  annotations: { readOnlyHint: false, idempotentHint: false, destructiveHint: true },
  async run(ctx, input) {
    const out = await reassignRun(ctx.deps, ctx.actor, input);
    return { run: runSummaryOut(out.run), revoked_owner: out.revokedOwner, released_claims: out.releasedClaims };
  },
  summarize: (o) => `reassigned ${o.run.run_id} to ${o.run.to_agent ?? o.run.to_role}`,
});
