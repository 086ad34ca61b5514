import { z } from 'zod';
import { decisionMessage } from '../../domain/blocker.js';
import { FleetError } from '../../domain/errors.js';
import { LIMITS } from '../../domain/limits.js';
import { awaitUpdate, type AwaitTarget, type Snapshot } from '../../services/await-update.js';
import { blockerId, handoffId, iso, runId } from '../schemas.js';
import { defineTool } from '../tool.js';
import { blockerOut, blockerSchema, handoffOut, handoffSchema } from './handoff-schemas.js';
import { runSummaryOut, runSummarySchema } from './run-schemas.js';

const runSnapshotSchema = runSummarySchema.extend({
  open_blocker_id: z.string().nullable(),
  open_handoff_id: z.string().nullable(),
  redirected_instructions: z
    .object({ blocker_id: z.string(), instructions: z.string(), at: z.string() })
    .nullable()
    .describe("the operator's latest redirect: these instructions supersede the run's own"),
});

export const awaitUpdateTool = defineTool({
  name: 'await_update',
  title: 'Wait for a change',
  description: 'Long-poll one blocker_id, handoff_id or run_id until it changes, or timeout_seconds (default 60, ≤ 110; 0 reads now). Pass the returned seq back as since_seq.',
  toolset: 'agent',
  binding: 'any',
  input: z
    .object({
      blocker_id: blockerId.optional(),
      handoff_id: handoffId.optional(),
      run_id: runId.optional(),
      timeout_seconds: z.number().int().min(0).max(LIMITS.waitSeconds).optional(),
      since_seq: z.number().int().min(0).optional().describe('seq from the previous result'),
    })
    .strict(),
  output: z.object({
    target: z.enum(['blocker', 'handoff', 'run']),
    changed: z.boolean(),
    seq: z.number().describe('pass as since_seq to keep following'),
    event: z.object({ seq: z.number(), type: z.string(), actor: z.string(), at: z.string() }).nullable(),
    blocker: blockerSchema.optional(),
    handoff: handoffSchema.optional(),
    run: runSnapshotSchema.optional(),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false },
  async run(ctx, input) {
    const given = [input.blocker_id, input.handoff_id, input.run_id].filter((v) => v !== undefined).length;
    if (given !== 1) throw new FleetError('INVALID_INPUT', 'give exactly one of blocker_id, handoff_id, run_id', 'e.g. await_update {"blocker_id": "blk_…"}');
    const target: AwaitTarget = input.blocker_id
      ? { kind: 'blocker', id: input.blocker_id }
      : input.handoff_id
        ? { kind: 'handoff', id: input.handoff_id }
        : { kind: 'run', id: input.run_id! };
    const out = await awaitUpdate(ctx.deps, ctx.feed, { target, timeoutSeconds: input.timeout_seconds, sinceSeq: input.since_seq }, ctx.signal);
    const base = {
      target: target.kind,
      changed: out.changed,
      seq: out.seq,
      event: out.event ? { seq: out.event.seq, type: out.event.type, actor: out.event.actor, at: iso(out.event.at) } : null,
      next: nextStep(out.snapshot, out.seq),
    };
    const s = out.snapshot;
    if (s.kind === 'blocker') return { ...base, blocker: blockerOut(s.view) };
    if (s.kind === 'handoff') return { ...base, handoff: handoffOut(s.view) };
    const r = s.view;
    return {
      ...base,
      run: {
        ...runSummaryOut(r.run),
        open_blocker_id: r.openBlockerId,
        open_handoff_id: r.openHandoffId,
        redirected_instructions: r.redirect ? { blocker_id: r.redirect.blockerId, instructions: r.redirect.instructions, at: iso(r.redirect.at) } : null,
      },
    };
  },
  summarize: (o) => {
    const state = o.blocker?.state ?? o.handoff?.state ?? o.run?.state ?? '?';
    return `${o.target} is ${state}${o.changed ? ` (changed: ${o.event?.type})` : ' (no change yet)'}`;
  },
});

function nextStep(s: Snapshot, seq: number): string {
  const again = `await_update again with since_seq ${seq}`;
  switch (s.kind) {
    case 'blocker': {
      const b = s.view.blocker;
      if (b.state === 'open') return `still waiting on the operator: ${again}`;
      if (b.state === 'obsolete') return `the blocker is closed (${b.resolution ?? 'the run moved on'}); get_run to see the run`;
      return decisionMessage(b);
    }
    case 'handoff': {
      const h = s.view.handoff;
      if (h.state === 'offered') return `still offered: ${again}`;
      if (h.state === 'accepted') return `accepted by ${h.decidedBy}: the run is theirs; stop working on it`;
      if (h.state === 'declined') return `declined (${h.reason ?? ''}): the run is yours again`;
      return `withdrawn (${h.reason ?? ''})`;
    }
    case 'run': {
      const r = s.view.run;
      if (r.state === 'blocked') return `blocked on ${s.view.openBlockerId ?? 'an operator decision'}: ${again}`;
      if (r.state === 'handoff_pending') return `waiting on handoff ${s.view.openHandoffId ?? ''}: ${again}`;
      return `the run is ${r.state}${r.ownerId ? ` (owner ${r.ownerId}, epoch ${r.leaseEpoch})` : ''}`;
    }
  }
}
