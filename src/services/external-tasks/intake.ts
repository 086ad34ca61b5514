import { guessMediaType, looksLikeText, storageFor } from '../../domain/artifact.js';
import { FleetError } from '../../domain/errors.js';
import type { ExternalTask } from '../../domain/external-task.js';
import { newId } from '../../domain/ids.js';
import { LIMITS } from '../../domain/limits.js';
import type { Run } from '../../domain/run.js';
import type { Tx } from '../../store/port/index.js';
import type { Deps } from '../deps.js';
import { sha256Hex, writeBlobFile } from '../evidence/blob-files.js';
import { prepareSubmission, submitInTx } from '../runs/submit.js';
import { readTx, writeTx } from '../tx.js';
import { readContextFile, type ContextFile, type ContextRules } from './context-file.js';

/** A task from another system, already validated by its adapter (e.g. the agentq envelope schema). */
export interface ExternalTaskInput {
  origin: string;
  taskId: string;
  sender: string;
  /** the role the run is for */
  target: string;
  replyTo: string | null;
  type: string;
  title: string;
  instructions: string;
  priority: number;
  ttlSeconds: number | null;
  expectedEvidence: string[];
  /** `file://…` is read and attached as `context` evidence; anything else is kept as a reference */
  contextRef: string | null;
}

export interface IntakeOutcome {
  run: Run;
  link: ExternalTask;
  /** true when this task was already received: nothing new was stored */
  deduplicated: boolean;
  contextArtifactId: string | null;
}

export const CONTEXT_KIND = 'context';

/**
 * Turns an external task into a run, exactly once per (origin, task id): the run (through the
 * submit service, with the task id as its idempotency key), its link and its context evidence are
 * one transaction, so a crash leaves either all of them or none, and a redelivered task finds the
 * link and makes nothing new. `agentId` is the intake's own identity (it submits, and the context
 * evidence is attributed to it).
 */
export async function receiveExternalTask(deps: Deps, agentId: string, input: ExternalTaskInput, rules: ContextRules): Promise<IntakeOutcome> {
  const known = await readTx(deps, (tx) => existing(tx, input));
  if (known) return known;

  const file = input.contextRef?.startsWith('file:') ? await readContextFile(input.contextRef, rules) : null;
  const artifactId = file ? newId('art') : null;
  const prepared = prepareSubmission(
    { kind: 'agent', agentId },
    {
      title: input.title,
      instructions: input.instructions,
      to_role: input.target,
      type: input.type,
      priority: input.priority,
      ttl_seconds: input.ttlSeconds ?? undefined,
      idempotency_key: input.taskId,
      context: contextText(input, file, artifactId),
      expected_evidence: input.expectedEvidence,
    },
  );
  const blob = file ? { sha256: sha256Hex(file.bytes), bytes: file.bytes, stored: storageFor(file.bytes.length, LIMITS.inlineBlobBytes) } : null;
  if (blob?.stored === 'file') await writeBlobFile(deps.settings.dataDir, blob.sha256, blob.bytes);

  return writeTx(deps, async (tx, now) => {
    const again = await existing(tx, input);
    if (again) return again;
    // Another intake of the same task may commit between the lookup above and the idempotency check
    // (PostgreSQL reads each statement at its own snapshot): the check then sees its run, possibly
    // with another TTL left, so look for its link again before calling it a conflict.
    let submitted: Awaited<ReturnType<typeof submitInTx>>;
    try {
      submitted = await submitInTx(tx, prepared, now);
    } catch (error) {
      // a database error has aborted the transaction (the store retries races itself): pass it on
      if (!(error instanceof FleetError)) throw error;
      const late = await existing(tx, input);
      if (late) return late;
      throw error;
    }
    const { run, deduplicated } = submitted;
    if (deduplicated) {
      const late = await existing(tx, input);
      if (late) return late;
      // the idempotency key matched a run without a link: only possible if someone submitted it by hand
      throw new FleetError('INVALID_STATE', `task ${input.taskId} matches run ${run.id}, which was not received from ${input.origin}`, 'use a new task id', { run_id: run.id });
    }
    const link = await tx.externalTasks.link(
      { runId: run.id, origin: input.origin, taskId: input.taskId, sender: input.sender, target: input.target, replyTo: input.replyTo, contextRef: input.contextRef },
      now,
    );
    await tx.events.append(
      {
        actor: agentId,
        type: 'external_task.received',
        agentId,
        runId: run.id,
        subjectId: input.taskId,
        payload: { origin: input.origin, task_id: input.taskId, from: input.sender, to: input.target, reply_to: input.replyTo, context_ref: input.contextRef },
      },
      now,
    );
    if (file && blob && artifactId) {
      await tx.artifacts.putBlob({ sha256: blob.sha256, size: blob.bytes.length, stored: blob.stored, bytes: blob.stored === 'inline' ? blob.bytes : null }, now);
      const artifact = await tx.artifacts.insert(
        { id: artifactId, runId: run.id, agentId, kind: CONTEXT_KIND, name: file.name, mediaType: guessMediaType(file.name, file.bytes), sha256: blob.sha256, size: blob.bytes.length },
        now,
      );
      await tx.events.append(
        {
          actor: agentId,
          type: 'artifact.attached',
          agentId,
          runId: run.id,
          subjectId: artifact.id,
          payload: { kind: artifact.kind, name: artifact.name, media_type: artifact.mediaType, bytes: artifact.size, sha256: artifact.sha256 },
        },
        now,
      );
    }
    return { run, link, deduplicated: false, contextArtifactId: artifactId };
  });
}

async function existing(tx: Tx, input: ExternalTaskInput): Promise<IntakeOutcome | null> {
  const link = await tx.externalTasks.byTask(input.origin, input.taskId);
  if (!link) return null;
  const run = await tx.runs.get(link.runId);
  if (!run) return null;
  const context = (await tx.artifacts.listByRun(run.id)).find((a) => a.kind === CONTEXT_KIND);
  return { run, link, deduplicated: true, contextArtifactId: context?.id ?? null };
}

/** What the worker reads as the run's context: the file's text when it is short text, else where to find it. */
function contextText(input: ExternalTaskInput, file: ContextFile | null, artifactId: string | null): string | undefined {
  if (input.contextRef === null) return undefined;
  if (!file) return `context: ${input.contextRef}`.slice(0, LIMITS.longText);
  const where = `context file ${input.contextRef} (${file.bytes.length} bytes), attached as evidence ${artifactId}: fleet://artifacts/${artifactId}`;
  if (looksLikeText(file.bytes)) {
    const text = file.bytes.toString('utf8');
    const whole = `${where}\n\n${text}`;
    if (whole.length <= LIMITS.longText) return whole;
  }
  return where;
}

/** Records a task that was refused (malformed, or its context unreadable), for the audit log and the metrics. */
export async function recordRejectedTask(
  deps: Deps,
  agentId: string,
  rejection: { origin: string; taskId: string | null; source: string; reason: string; bytes: number },
): Promise<void> {
  await writeTx(deps, async (tx, now) => {
    await tx.events.append(
      {
        actor: agentId,
        type: 'external_task.rejected',
        agentId,
        subjectId: rejection.taskId?.slice(0, LIMITS.id) ?? null,
        payload: { origin: rejection.origin, task_id: rejection.taskId, source: rejection.source, reason: rejection.reason.slice(0, LIMITS.text), bytes: rejection.bytes },
      },
      now,
    );
  });
}
