import type { DeadReason, OnStale, Run, RunOrigin, RunOutcome, RunState } from '../../domain/run.js';
import { parseJson } from './json.js';

/** A runs row as both engines return it (BIGINT and NUMERIC read as numbers). */
export interface RunRow {
  id: string;
  title: string;
  type: string;
  instructions: string;
  context: string | null;
  context_ref: string | null;
  origin: string;
  to_role: string | null;
  to_agent: string | null;
  priority: number;
  state: string;
  dead_reason: string | null;
  state_reason: string | null;
  owner_id: string | null;
  last_owner_id: string | null;
  lease_epoch: number;
  lease_expires_at: number | null;
  attempts: number;
  max_attempts: number;
  available_at: number;
  expires_at: number | null;
  ttl_seconds: number | null;
  idempotency_key: string | null;
  submitter: string;
  parent_run_id: string | null;
  expected_evidence: string;
  on_stale: string;
  created_at: number;
  updated_at: number;
  taken_at: number | null;
  finished_at: number | null;
  result_outcome: string | null;
  result_summary: string | null;
  result_evidence: string;
  result_risks: string;
  result_by: string | null;
  result_epoch: number | null;
  result_at: number | null;
  last_error: string | null;
  retries: number;
  lease_expiries: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
}

export function toRun(r: RunRow): Run {
  return {
    id: r.id,
    title: r.title,
    type: r.type,
    instructions: r.instructions,
    context: r.context,
    contextRef: r.context_ref,
    origin: r.origin as RunOrigin,
    toRole: r.to_role,
    toAgent: r.to_agent,
    priority: r.priority,
    state: r.state as RunState,
    deadReason: r.dead_reason as DeadReason | null,
    stateReason: r.state_reason,
    ownerId: r.owner_id,
    lastOwnerId: r.last_owner_id,
    leaseEpoch: r.lease_epoch,
    leaseExpiresAt: r.lease_expires_at,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    availableAt: r.available_at,
    expiresAt: r.expires_at,
    ttlSeconds: r.ttl_seconds,
    idempotencyKey: r.idempotency_key,
    submitter: r.submitter,
    parentRunId: r.parent_run_id,
    expectedEvidence: parseJson<string[]>(r.expected_evidence, []),
    onStale: r.on_stale as OnStale,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    takenAt: r.taken_at,
    finishedAt: r.finished_at,
    result:
      r.result_outcome === null
        ? null
        : {
            outcome: r.result_outcome as RunOutcome,
            summary: r.result_summary ?? '',
            evidence: parseJson<string[]>(r.result_evidence, []),
            risks: parseJson<string[]>(r.result_risks, []),
            by: r.result_by ?? '',
            epoch: r.result_epoch ?? 0,
            at: r.result_at ?? 0,
          },
    lastError: r.last_error,
    retries: r.retries,
    leaseExpiries: r.lease_expiries,
    usage: { tokens_in: r.tokens_in, tokens_out: r.tokens_out, cost_usd: r.cost_usd },
  };
}

/** Every column toRun reads, for queries outside the runs repositories (the console's listings). */
export const RUN_LIST_COLUMNS = `id, title, type, instructions, context, context_ref, origin, to_role, to_agent, priority, state,
  dead_reason, state_reason, owner_id, last_owner_id, lease_epoch, lease_expires_at, attempts, max_attempts,
  available_at, expires_at, ttl_seconds, idempotency_key, submitter, parent_run_id, expected_evidence, on_stale,
  created_at, updated_at, taken_at, finished_at, result_outcome, result_summary, result_evidence, result_risks,
  result_by, result_epoch, result_at, last_error, retries, lease_expiries, tokens_in, tokens_out, cost_usd`;
