import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ORIGIN } from '../../agentq/envelope.js';
import { connectOnce } from '../../agentq/connection.js';
import { DEAD_LETTER_QUEUE } from '../../agentq/topology.js';
import type { Actor } from '../../domain/actor.js';
import { FleetError } from '../../domain/errors.js';
import { LIMITS } from '../../domain/limits.js';
import { attachEvidence } from '../../services/evidence/attach.js';
import { externalDeadLetters, getExternalTaskView, type ExternalTaskView } from '../../services/external-tasks/queries.js';
import { forgetResultFile, rememberResultFile, runIdFor } from '../../services/external-tasks/report.js';
import { cliActor } from '../../services/runs/cli-actor.js';
import { submitResult } from '../../services/runs/result.js';
import { flag, requireStr, str, withApp, type Command, type ParsedArgs } from '../command.js';
import { colour, printJson, printLine, printTable } from '../output.js';
import { iso } from '../format.js';


function idArg(args: ParsedArgs, usage: string): string {
  const id = args.positionals[0];
  if (!id) throw new FleetError('INVALID_INPUT', 'a task id or run id is required', usage);
  return id;
}

/** One bridged run as the agentq commands print it: the task's fields, then fleetdeck's. */
export function taskViewJson(v: ExternalTaskView) {
  const { run, link } = v;
  return {
    task_id: link?.taskId ?? null,
    origin: link?.origin ?? null,
    from: link?.sender ?? null,
    to: link?.target ?? run.toRole,
    reply_to: link?.replyTo ?? null,
    context_ref: link?.contextRef ?? null,
    run_id: run.id,
    title: run.title,
    type: run.type,
    state: run.state,
    dead_reason: run.deadReason,
    owner_id: run.ownerId,
    attempts: run.attempts,
    max_attempts: run.maxAttempts,
    priority: run.priority,
    expires_at: iso(run.expiresAt),
    created_at: iso(run.createdAt),
    finished_at: iso(run.finishedAt),
    result: run.result ? { outcome: run.result.outcome, summary: run.result.summary, by: run.result.by, evidence: run.result.evidence, at: iso(run.result.at) } : null,
    evidence: v.evidence,
    completions: v.completions.map((c) => ({ status: c.status, reply_to: c.replyTo, published_at: iso(c.publishedAt), attempts: c.attempts, last_error: c.lastError })),
  };
}

/** The task named by the command's ID (a task id or a run id), and its JSON view. */
async function taskByIdArg(args: ParsedArgs, usage: string) {
  const id = idArg(args, usage);
  const view = await withApp(args, (app) => getExternalTaskView(app.deps, ORIGIN, id));
  return { view, j: taskViewJson(view) };
}

export const agentqStatusCommand: Command = {
  path: ['agentq', 'status'],
  summary: 'one agentq task (by task id or run id): state, owner, attempts, completion',
  usage: 'fleetdeck agentq status ID [--json]',
  options: {},
  positionals: true,
  async run(args) {
    const { j } = await taskByIdArg(args, this.usage);
    if (flag(args, 'json')) {
      printJson(j);
      return 0;
    }
    const state = j.state === 'completed' ? colour(j.state, 'green') : j.state === 'dead' || j.state === 'failed' ? colour(j.state, 'red') : j.state;
    printLine(`${j.task_id ?? '(not an agentq task)'}  ${j.run_id}  ${state}${j.dead_reason ? ` (${j.dead_reason})` : ''}  ${j.title}`);
    if (j.origin) printLine(`  origin ${j.origin}: from ${j.from} to ${j.to}, reply_to ${j.reply_to ?? '-'}`);
    printLine(`  type ${j.type}, priority ${j.priority}, attempt ${j.attempts}/${j.max_attempts}${j.expires_at ? `, expires ${j.expires_at}` : ''}`);
    if (j.owner_id) printLine(`  owner ${j.owner_id}`);
    for (const c of j.completions) printLine(`  completion ${c.status} → ${c.reply_to}: ${c.published_at ? `published ${c.published_at}` : `pending (${c.attempts} attempts${c.last_error ? `, ${c.last_error}` : ''})`}`);
    return 0;
  },
};

export const agentqResultCommand: Command = {
  path: ['agentq', 'result'],
  summary: "an agentq task's result: status, summary, result_ref, evidence",
  usage: 'fleetdeck agentq result ID [--json]\nExit code 0 when completed, 3 when not finished yet, 2 otherwise.',
  options: {},
  positionals: true,
  async run(args) {
    const { view, j } = await taskByIdArg(args, this.usage);
    const last = view.completions.at(-1);
    const code = j.state === 'completed' ? 0 : ['failed', 'dead', 'cancelled'].includes(j.state) ? 2 : 3;
    const out = { task_id: j.task_id, run_id: j.run_id, status: j.state, summary: last?.completion.summary ?? j.result?.summary ?? null, result_ref: last?.completion.resultRef ?? null, evidence: j.evidence, completion: j.completions.at(-1) ?? null };
    if (flag(args, 'json')) {
      printJson(out);
      return code;
    }
    if (code === 3) {
      printLine(`${j.task_id ?? j.run_id} is ${j.state}: no result yet`);
      return code;
    }
    printLine(`${j.task_id ?? j.run_id} ${j.state}${j.result ? ` by ${j.result.by}` : ''}${out.result_ref ? `  ${out.result_ref}` : ''}`);
    if (out.summary) printLine(`\n${out.summary}\n`);
    printTable(['artifact', 'kind', 'name', 'bytes'], j.evidence.map((a) => [a.id, a.kind, a.name, a.bytes]));
    return code;
  },
};

async function closeTask(args: ParsedArgs, outcome: 'completed' | 'failed', usage: string): Promise<number> {
  const id = idArg(args, usage);
  const from = requireStr(args, 'from', 'the worker reporting it, e.g. --from implementation-worker (or an agent id agt_… whose token this OS user holds)');
  const text = outcome === 'completed' ? requireStr(args, 'summary', 'e.g. --summary "done, tests pass"') : requireStr(args, 'reason', 'e.g. --reason "the build is broken"');
  const resultFile = str(args, 'result-file');
  const fileText = resultFile === undefined ? undefined : await readFile(resultFile, 'utf8');
  const out = await withApp(args, async (app) => {
    const actor: Actor = from.startsWith('agt_') ? await cliActor(app.deps, from) : await cliActor(app.deps, undefined);
    const runId = await runIdFor(app.deps, ORIGIN, id);
    const evidence: string[] = [];
    let summary = text;
    if (resultFile !== undefined && fileText !== undefined) {
      await rememberResultFile(app.deps, ORIGIN, runId, pathToFileURL(resolve(resultFile)).href, from);
      if (actor.kind === 'agent') {
        const attached = await attachEvidence(app.deps, actor.agentId, { run_id: runId, kind: 'report', content: fileText, name: basename(resultFile) });
        evidence.push(attached.artifact.id);
      }
    }
    if (actor.kind !== 'agent' && from !== '') summary = `${summary}\n\n(reported by ${from})`.slice(0, LIMITS.longText);
    try {
      return await submitResult(app.deps, actor, { run_id: runId, outcome, summary, evidence, retryable: outcome === 'failed' ? flag(args, 'retryable') : undefined });
    } catch (error) {
      if (resultFile !== undefined) await forgetResultFile(app.deps, runId);
      throw error;
    }
  });
  if (flag(args, 'json')) printJson({ run_id: out.run.id, state: out.run.state, late: out.late, retry_at: iso(out.retryAt) });
  else printLine(`${out.run.id} ${out.run.state}${out.retryAt ? ` (retry after ${iso(out.retryAt)})` : ''}`);
  return 0;
}

const closeUsage = [
  '  ID                 a task id or a run id',
  '  --from NAME        the worker reporting it; an agent id (agt_…) whose token this OS user holds acts as that',
  '                     agent (it must hold the run, and --result-file becomes a report artifact); any other name',
  '                     acts as this OS user\'s operator and is recorded in the summary',
  '  --result-file F    reported as the completion\'s result_ref (file://…)',
].join('\n');

export const agentqCompleteCommand: Command = {
  path: ['agentq', 'complete'],
  summary: 'complete an agentq task as a script worker',
  usage: `fleetdeck agentq complete ID --from NAME --summary S [--result-file F] [--json]\n${closeUsage}`,
  options: { from: { type: 'string' }, summary: { type: 'string' }, 'result-file': { type: 'string' } },
  positionals: true,
  run(args) {
    return closeTask(args, 'completed', this.usage);
  },
};

export const agentqFailCommand: Command = {
  path: ['agentq', 'fail'],
  summary: 'fail an agentq task as a script worker (--retryable to retry with backoff)',
  usage: `fleetdeck agentq fail ID --from NAME --reason R [--retryable] [--result-file F] [--json]\n${closeUsage}`,
  options: { from: { type: 'string' }, reason: { type: 'string' }, retryable: { type: 'boolean' }, 'result-file': { type: 'string' } },
  positionals: true,
  run(args) {
    return closeTask(args, 'failed', this.usage);
  },
};

export const agentqDlqCommand: Command = {
  path: ['agentq', 'dlq'],
  summary: 'agentq dead letters: envelopes the bridge refused (with reasons) and bridged runs that died',
  usage: 'fleetdeck agentq dlq [--limit N] [--amqp URL] [--json]\n  --amqp URL   also count the messages waiting in agentq.dlq',
  options: { limit: { type: 'string' }, amqp: { type: 'string' } },
  async run(args) {
    const limit = Math.min(Math.max(Number(str(args, 'limit') ?? 50) || 50, 1), 500);
    const { rejected, dead } = await withApp(args, (app) => externalDeadLetters(app.deps, ORIGIN, limit));
    let queued: number | null = null;
    const url = str(args, 'amqp');
    if (url !== undefined) {
      const connection = await connectOnce(url).catch((e: Error) => {
        throw new FleetError('INVALID_STATE', `cannot reach RabbitMQ: ${e.message}`, 'check --amqp');
      });
      try {
        connection.on('error', () => {});
        const channel = await connection.createChannel();
        channel.on('error', () => {});
        queued = (await channel.checkQueue(DEAD_LETTER_QUEUE)).messageCount;
      } catch {
        queued = 0;
      } finally {
        await connection.close().catch(() => {});
      }
    }
    const out = {
      rejected: rejected.map((r) => ({ at: iso(r.at), task_id: r.taskId, queue: r.source, reason: r.reason })),
      dead: dead.map(({ run, link }) => ({ task_id: link.taskId, run_id: run.id, dead_reason: run.deadReason, attempts: run.attempts, last_error: run.lastError, finished_at: iso(run.finishedAt) })),
      ...(queued !== null ? { dlq_messages: queued } : {}),
    };
    if (flag(args, 'json')) {
      printJson(out);
      return 0;
    }
    printLine(`REJECTED ENVELOPES (${out.rejected.length})${queued !== null ? `, ${queued} message(s) in ${DEAD_LETTER_QUEUE}` : ''}`);
    printTable(['at', 'task', 'queue', 'reason'], out.rejected.map((r) => [r.at, r.task_id, r.queue, r.reason]), 80);
    printLine(`\nDEAD RUNS (${out.dead.length})`);
    printTable(['task', 'run', 'reason', 'attempts', 'last error'], out.dead.map((d) => [d.task_id, d.run_id, d.dead_reason, d.attempts, d.last_error]));
    return 0;
  },
};

