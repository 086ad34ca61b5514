import { actorLabel, type Actor } from '../../domain/actor.js';
import { livenessAt, type Agent } from '../../domain/agent.js';
import type { Tx } from '../../store/port/index.js';
import type { Deps } from '../deps.js';
import { requireOperator } from '../runs/cancel.js';
import { requeueRunTx } from '../runs/operator.js';
import { writeTx } from '../tx.js';

/** Bulk actions act on at most this many items per call: one bounded transaction. */
export const BULK_LIMIT = 200;

export interface BulkRequeueResult {
  requeued: string[];
  /** dead letters left for another call (more than BULK_LIMIT) */
  remaining: number;
}

/**
 * Requeues dead letters, oldest first (the ones listed, or every dead run), each exactly as
 * `requeue_run` does with its own `run.requeued` event, in one transaction: all or nothing.
 */
export async function requeueDeadLetters(deps: Deps, actor: Actor, input: { run_ids?: string[]; reason?: string }): Promise<BulkRequeueResult> {
  requireOperator(actor);
  const by = actorLabel(actor);
  const reason = input.reason ?? 'bulk requeue by the operator';
  return writeTx(deps, async (tx, now) => {
    const wanted = input.run_ids ? new Set(input.run_ids) : null;
    const dead = (await tx.runs.list({ states: ['dead'], limit: 10_000 })).filter((r) => !wanted || wanted.has(r.id)).reverse();
    const requeued: string[] = [];
    for (const run of dead.slice(0, BULK_LIMIT)) requeued.push((await requeueRunTx(tx, run, by, reason, now)).id);
    return { requeued, remaining: dead.length - requeued.length };
  });
}

export interface ForgetResult {
  forgotten: { agent_id: string; name: string }[];
}

/**
 * Forgets stale agents that hold nothing (no claim, no run they own): they leave the console's
 * lists until their next sign of life, with an `agent.forgotten` event each. The agent row stays,
 * since events and runs name it; an agent that comes back is listed again.
 */
export async function forgetStaleAgents(deps: Deps, actor: Actor, input: { agent_ids?: string[] }): Promise<ForgetResult> {
  requireOperator(actor);
  const by = actorLabel(actor);
  return writeTx(deps, async (tx, now) => {
    const wanted = input.agent_ids ? new Set(input.agent_ids) : null;
    const forgotten = await tx.consoleSessions.forgottenAgents();
    const forgotten_: ForgetResult['forgotten'] = [];
    for (const agent of await tx.agents.list()) {
      if (forgotten_.length >= BULK_LIMIT) break;
      if (wanted && !wanted.has(agent.id)) continue;
      if (isForgotten(agent, forgotten) || !(await holdsNothing(tx, agent, now))) continue;
      await tx.consoleSessions.forgetAgent(agent.id, now, by);
      await tx.events.append({ actor: by, type: 'agent.forgotten', agentId: agent.id, payload: { name: agent.name, role: agent.role, stale_since: agent.staleSince } }, now);
      forgotten_.push({ agent_id: agent.id, name: agent.name });
    }
    return { forgotten: forgotten_ };
  });
}

/** Forgotten, and no sign of life since. */
export function isForgotten(agent: Agent, forgotten: Map<string, number>): boolean {
  const at = forgotten.get(agent.id);
  return at !== undefined && agent.lastSeenAt <= at;
}

async function holdsNothing(tx: Tx, agent: Agent, now: number): Promise<boolean> {
  if (livenessAt(agent, now) !== 'stale') return false;
  if ((await tx.claims.countActive({ agentId: agent.id })) > 0) return false;
  return (await tx.runs.listOwnedBy(agent.id, ['leased', 'blocked', 'handoff_pending'])).length === 0;
}
