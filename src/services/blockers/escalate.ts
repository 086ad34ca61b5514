/**
 * `on_stale: escalate`: when the owner of a run falls silent, an operator decides what happens.
 * Called from runs/recovery.ts `escalateRun` inside the stale-agent (or lapsed-lease) transaction,
 * after the run was moved to `blocked`. Tx-only: must not import services/tx.ts.
 */
import type { Blocker } from '../../domain/blocker.js';
import { isEventOf } from '../../domain/event.js';
import type { Run } from '../../domain/run.js';
import type { Tx } from '../../store/port/index.js';
import { listRunArtifacts } from '../evidence/index.js';
import { raiseBlockerOn } from './core.js';

export async function raiseEscalationBlocker(tx: Tx, run: Run, ownerId: string | null, now: number): Promise<Blocker | null> {
  if (run.state !== 'blocked' || !run.ownerId) return null;
  if (await tx.blockers.openForRun(run.id)) return null; // already waiting on a person
  const owner = ownerId ? await tx.agents.get(ownerId) : null;
  const claims = await claimsHeldAtStale(tx, run.id, now);
  const evidence = await listRunArtifacts(tx, run.id);
  const lastHeartbeat = owner?.lastHeartbeatAt ?? null;
  const lastSeen = owner?.lastSeenAt ?? null;
  const lines = [
    `Owner: ${owner ? `${owner.name} (${owner.id}, ${owner.role})` : (ownerId ?? 'unknown')}`,
    `Last heartbeat: ${lastHeartbeat === null ? 'never' : new Date(lastHeartbeat).toISOString()}`,
    `Last sign of life: ${lastSeen === null ? 'unknown' : new Date(lastSeen).toISOString()}`,
    `Attempt ${run.attempts} of ${run.maxAttempts}, lease epoch ${run.leaseEpoch}`,
    `Claims held: ${claims.length === 0 ? 'none' : claims.map((c) => `${c.kind} ${c.pattern} (${c.claim_id})`).join('; ')}`,
    `Evidence: ${evidence.length === 0 ? 'none' : evidence.map((a) => `${a.kind} ${a.name} (${a.id})`).join('; ')}`,
    owner?.note ? `Last note: ${owner.note}` : null,
  ].filter((l): l is string => l !== null);
  const { blocker } = await raiseBlockerOn(
    tx,
    run,
    {
      kind: 'error',
      question: `The owner of run ${run.id} "${run.title}" went silent (on_stale: escalate). What now? approve: requeue it for a new attempt (or give it back if the owner returns); reassign: to an agent or role; cancel.`,
      options: [],
      context: lines.join('\n'),
      evidence: evidence.slice(0, 100).map((a) => a.id),
      origin: 'escalation',
      raisedBy: 'system',
    },
    now,
  );
  return blocker;
}

interface HeldClaim {
  claim_id: string;
  kind: string;
  pattern: string;
}

/**
 * The claims the run held when its owner turned stale: still active ones, plus those the
 * stale-agent hook released in this same transaction (the audit log says which).
 */
async function claimsHeldAtStale(tx: Tx, runId: string, now: number): Promise<HeldClaim[]> {
  const held = new Map<string, HeldClaim>();
  for (const c of await tx.claims.listActive({ runId, limit: 100 })) held.set(c.id, { claim_id: c.id, kind: c.kind, pattern: c.pattern });
  for (const e of await tx.events.list({ runId, types: ['claim.released'], newestFirst: true, limit: 100 })) {
    if (e.at !== now || !e.subjectId || !isEventOf(e, 'claim.released')) continue;
    held.set(e.subjectId, { claim_id: e.subjectId, kind: e.payload.kind, pattern: e.payload.pattern });
  }
  return [...held.values()];
}
