import { createHash } from 'node:crypto';
import { actorLabel, type Actor } from '../../domain/actor.js';
import { FleetError, forbidden, notFound } from '../../domain/errors.js';
import { newId } from '../../domain/ids.js';
import { LIMITS } from '../../domain/limits.js';
import { DEFAULT_MAX_ATTEMPTS, MAX_MAX_ATTEMPTS, MAX_PRIORITY, MAX_TTL_SECONDS, type OnStale, type Run } from '../../domain/run.js';
import type { Tx } from '../../store/port/index.js';
import type { Deps } from '../deps.js';
import { artifactExists } from '../evidence/steps/artifacts.js';
import { enforceLeaseLimit } from '../policy/enforce.js';
import { writeTx } from '../tx.js';
import { signalAgent } from './steps/transitions.js';

export interface SubmitTaskInput {
  title: string;
  instructions: string;
  to_role?: string;
  to_agent?: string;
  type?: string;
  priority?: number;
  ttl_seconds?: number;
  max_attempts?: number;
  idempotency_key?: string;
  context?: string;
  context_ref?: string;
  expected_evidence?: string[];
  parent_run_id?: string;
  on_stale?: OnStale;
}

export interface SubmitOutcome {
  run: Run;
  /** true when `idempotency_key` matched an earlier submission with the same input */
  deduplicated: boolean;
}

export const DEFAULT_RUN_TYPE = 'task';

/**
 * Queues a task for a role or an agent. With `idempotency_key` (scoped to the submitter), the same
 * key and the same input return the existing run; the same key with a different input is refused.
 * The check and the insert run in one write transaction, so concurrent submits cannot both insert.
 */
export async function submitTask(deps: Deps, actor: Actor, input: SubmitTaskInput): Promise<SubmitOutcome> {
  const prepared = prepareSubmission(actor, input);
  return writeTx(deps, (tx, now) => submitInTx(tx, prepared, now));
}

/** A submission checked and normalised outside the transaction (see `submitInTx`). */
export interface PreparedSubmission {
  actor: Actor;
  submitter: string;
  input: SubmitTaskInput;
  normalized: Normalized;
  inputHash: string;
}

export function prepareSubmission(actor: Actor, input: SubmitTaskInput): PreparedSubmission {
  if (actor.kind === 'unbound') throw forbidden('an unbound caller cannot submit tasks', 'register_agent first');
  if ((input.to_role === undefined) === (input.to_agent === undefined)) {
    throw new FleetError('INVALID_INPUT', 'give exactly one of to_role and to_agent', 'to_role: any agent of that role may take it; to_agent: only that agent');
  }
  if (input.context !== undefined && input.context_ref !== undefined) {
    throw new FleetError('INVALID_INPUT', 'give context or context_ref, not both', 'context_ref names an artifact (art_…) holding the context');
  }
  const normalized = normalize(input);
  checkBounds(normalized);
  return { actor, submitter: actorLabel(actor), input, normalized, inputHash: hashInput(normalized) };
}

/**
 * The idempotency check and the insert, inside the caller's write transaction (so other intake
 * paths, such as the agentq bridge, can add their own rows to the same transaction).
 */
export async function submitInTx(tx: Tx, prepared: PreparedSubmission, now: number): Promise<SubmitOutcome> {
  const { actor, submitter, input, normalized, inputHash } = prepared;
  if (input.idempotency_key !== undefined) {
    const existing = await tx.runs.findByIdempotencyKey(submitter, input.idempotency_key);
    if (existing) {
      if (existing.inputHash !== inputHash) {
        throw new FleetError(
          'INVALID_INPUT',
          `idempotency_key "${input.idempotency_key}" was already used for run ${existing.run.id} with a different input`,
          'reuse a key only to retry the identical submission; use a new key for a different task',
          { run_id: existing.run.id },
        );
      }
      return { run: existing.run, deduplicated: true };
    }
  }
  await checkReferences(tx, normalized);
  const run = await tx.runs.insert({
    id: newId('run'),
    title: normalized.title,
    type: normalized.type,
    instructions: normalized.instructions,
    context: normalized.context,
    contextRef: normalized.context_ref,
    origin: 'submitted',
    toRole: normalized.to_role,
    toAgent: normalized.to_agent,
    priority: normalized.priority,
    maxAttempts: normalized.max_attempts,
    ttlSeconds: normalized.ttl_seconds,
    idempotencyKey: input.idempotency_key ?? null,
    inputHash: input.idempotency_key !== undefined ? inputHash : null,
    submitter,
    parentRunId: normalized.parent_run_id,
    expectedEvidence: normalized.expected_evidence,
    onStale: normalized.on_stale,
    now,
  });
  await tx.events.append(
    {
      actor: submitter,
      type: 'run.submitted',
      agentId: actor.kind === 'agent' ? actor.agentId : null,
      runId: run.id,
      payload: {
        state: 'queued',
        title: run.title,
        type: run.type,
        to_role: run.toRole,
        to_agent: run.toAgent,
        priority: run.priority,
        max_attempts: run.maxAttempts,
        ttl_seconds: run.ttlSeconds,
        parent_run_id: run.parentRunId,
        expected_evidence: run.expectedEvidence,
        on_stale: run.onStale,
        ...(run.idempotencyKey ? { idempotency_key: run.idempotencyKey } : {}),
      },
    },
    now,
  );
  if (run.toAgent) {
    await signalAgent(tx, run.toAgent, 'run_assigned', run, `run ${run.id} "${run.title}" was submitted to you: take_task to start it`, { title: run.title, type: run.type, priority: run.priority, submitter }, now);
  }
  return { run, deduplicated: false };
}

export interface StartRunInput {
  title: string;
  instructions?: string;
  type?: string;
  priority?: number;
  max_attempts?: number;
  context?: string;
  expected_evidence?: string[];
  parent_run_id?: string;
  on_stale?: OnStale;
}

/**
 * Work an agent starts itself: created `leased` to it at once (epoch 1, attempt 1), targeted at
 * the agent, so if its lease lapses the run waits in the queue for the same agent to come back.
 */
export async function startRun(deps: Deps, agentId: string, input: StartRunInput): Promise<Run> {
  await enforceLeaseLimit(deps, agentId, 'start_run');
  return writeTx(deps, async (tx, now) => {
    const agent = await tx.agents.get(agentId);
    if (!agent) throw notFound('agent', agentId, 'register_agent again');
    if (input.parent_run_id !== undefined && !await tx.runs.get(input.parent_run_id)) {
      throw notFound('run', input.parent_run_id, 'parent_run_id must name an existing run');
    }
    const run = await tx.runs.insert({
      id: newId('run'),
      title: input.title.trim(),
      type: input.type ?? DEFAULT_RUN_TYPE,
      instructions: input.instructions ?? '',
      context: input.context ?? null,
      contextRef: null,
      origin: 'started',
      toRole: null,
      toAgent: agentId,
      priority: input.priority ?? 0,
      maxAttempts: input.max_attempts ?? DEFAULT_MAX_ATTEMPTS,
      ttlSeconds: null,
      idempotencyKey: null,
      inputHash: null,
      submitter: agentId,
      parentRunId: input.parent_run_id ?? null,
      expectedEvidence: dedupe(input.expected_evidence ?? []),
      onStale: input.on_stale ?? 'requeue',
      now,
      leasedTo: { agentId, leaseExpiresAt: now + agent.leaseSeconds * 1000 },
    });
    await tx.agents.applyHeartbeat(agentId, { currentRunId: run.id, status: 'working' });
    await tx.events.append(
      {
        actor: agentId,
        type: 'run.started',
        agentId,
        runId: run.id,
        payload: { state: 'leased', title: run.title, type: run.type, epoch: run.leaseEpoch, attempt: run.attempts, parent_run_id: run.parentRunId },
      },
      now,
    );
    return run;
  });
}

export interface Normalized {
  title: string;
  instructions: string;
  to_role: string | null;
  to_agent: string | null;
  type: string;
  priority: number;
  ttl_seconds: number | null;
  max_attempts: number;
  context: string | null;
  context_ref: string | null;
  expected_evidence: string[];
  parent_run_id: string | null;
  on_stale: OnStale;
}

function normalize(input: SubmitTaskInput): Normalized {
  return {
    title: input.title.trim(),
    instructions: input.instructions,
    to_role: input.to_role ?? null,
    to_agent: input.to_agent ?? null,
    type: input.type ?? DEFAULT_RUN_TYPE,
    priority: input.priority ?? 0,
    ttl_seconds: input.ttl_seconds ?? null,
    max_attempts: input.max_attempts ?? DEFAULT_MAX_ATTEMPTS,
    context: input.context ?? null,
    context_ref: input.context_ref ?? null,
    expected_evidence: dedupe(input.expected_evidence ?? []),
    parent_run_id: input.parent_run_id ?? null,
    on_stale: input.on_stale ?? 'requeue',
  };
}

/** The hash of the submission with defaults applied, in a fixed key order. */
function hashInput(n: Normalized): string {
  const keys = Object.keys(n).sort() as (keyof Normalized)[];
  return createHash('sha256')
    .update(JSON.stringify(keys.map((k) => [k, n[k]])))
    .digest('hex');
}

/** The tools validate with zod; the CLI and other callers reach the service directly, so check here too. */
function checkBounds(n: Normalized): void {
  const problems: string[] = [];
  if (n.title.length < 1 || n.title.length > LIMITS.shortText) problems.push(`title must be 1 to ${LIMITS.shortText} characters`);
  if (n.instructions.length > LIMITS.longText) problems.push(`instructions must be at most ${LIMITS.longText} characters`);
  if (!/^[a-z][a-z0-9._-]{0,63}$/.test(n.type)) problems.push('type must be a lower-case word of at most 64 characters');
  if (!Number.isInteger(n.priority) || Math.abs(n.priority) > MAX_PRIORITY) problems.push(`priority must be an integer from -${MAX_PRIORITY} to ${MAX_PRIORITY}`);
  if (n.ttl_seconds !== null && (!Number.isInteger(n.ttl_seconds) || n.ttl_seconds < 1 || n.ttl_seconds > MAX_TTL_SECONDS)) problems.push(`ttl_seconds must be an integer from 1 to ${MAX_TTL_SECONDS}`);
  if (!Number.isInteger(n.max_attempts) || n.max_attempts < 1 || n.max_attempts > MAX_MAX_ATTEMPTS) problems.push(`max_attempts must be an integer from 1 to ${MAX_MAX_ATTEMPTS}`);
  if (n.expected_evidence.length > 20) problems.push('expected_evidence lists at most 20 kinds');
  if (problems.length > 0) throw new FleetError('INVALID_INPUT', `invalid task: ${problems.join('; ')}`, 'fix the named fields and submit again');
}

async function checkReferences(tx: Tx, n: Normalized): Promise<void> {
  if (n.to_agent !== null && !await tx.agents.get(n.to_agent)) {
    throw notFound('agent', n.to_agent, 'to_agent must name a registered agent (see fleet://agents), or use to_role');
  }
  if (n.parent_run_id !== null && !await tx.runs.get(n.parent_run_id)) {
    throw notFound('run', n.parent_run_id, 'parent_run_id must name an existing run');
  }
  if (n.context_ref !== null && !await artifactExists(tx, n.context_ref)) {
    throw notFound('artifact', n.context_ref, 'context_ref must name an attached artifact (art_…); or pass the context inline');
  }
}

function dedupe(kinds: string[]): string[] {
  return [...new Set(kinds)];
}
