import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { FleetError } from '../../domain/errors.js';
import { LIMITS } from '../../domain/limits.js';
import type { RunState } from '../../domain/run.js';
import { RUN_STATES } from '../../domain/run.js';
import { attachEvidence } from '../../services/evidence/attach.js';
import { cliActor } from '../../services/runs/cli-actor.js';
import { requeueRun } from '../../services/runs/operator.js';
import { getRunView, listRuns } from '../../services/runs/queries.js';
import { deadLetters } from '../../services/runs/queue-stats.js';
import { submitResult } from '../../services/runs/result.js';
import { submitTask } from '../../services/runs/submit.js';
import { flag, requireStr, str, withApp, type Command, type ParsedArgs } from '../command.js';
import { fleetStatus } from './fleet-views.js';
import { colour, printJson, printLine, printTable } from '../output.js';
import { iso } from '../format.js';
import { runSummaryOut } from '../../mcp/tools/run-schemas.js';

function positional(args: ParsedArgs, what: string, usage: string): string {
  const value = args.positionals[0];
  if (!value) throw new FleetError('INVALID_INPUT', `${what} is required`, usage);
  return value;
}

function intOption(args: ParsedArgs, key: string): number | undefined {
  const v = str(args, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new FleetError('INVALID_INPUT', `--${key} must be an integer`, `e.g. --${key} 3`);
  return n;
}

/** The title of a task file: --title, else its first non-empty line without a Markdown heading mark. */
export function titleOf(text: string): string {
  const first = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return first.replace(/^#+\s*/, '').trim().slice(0, LIMITS.shortText);
}

async function readText(path: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  return readFile(path, 'utf8');
}

export const submitCommand: Command = {
  path: ['submit'],
  summary: 'queue a task for a role (or --to-agent) from a file; prints the run id',
  usage: [
    'fleetdeck submit --to ROLE --file task.md [--type T] [--title T] [--priority N] [--ttl SECONDS]',
    '                 [--max-attempts N] [--idempotency-key K] [--expect KIND,KIND] [--on-stale requeue|escalate|dead_letter] [--json]',
    '  --to-agent AGENT_ID   instead of --to ROLE',
    '  --file PATH           the instructions (- for stdin); the title is its first line unless --title',
    'Acts as the operator identity of this OS user.',
  ].join('\n'),
  options: {
    to: { type: 'string' },
    'to-agent': { type: 'string' },
    type: { type: 'string' },
    file: { type: 'string' },
    title: { type: 'string' },
    priority: { type: 'string' },
    ttl: { type: 'string' },
    'max-attempts': { type: 'string' },
    'idempotency-key': { type: 'string' },
    expect: { type: 'string' },
    'on-stale': { type: 'string' },
  },
  async run(args) {
    const text = await readText(requireStr(args, 'file', 'e.g. --file task.md'));
    const title = str(args, 'title') ?? titleOf(text);
    if (!title) throw new FleetError('INVALID_INPUT', 'the task has no title', 'give --title or start the file with a heading');
    const onStale = str(args, 'on-stale');
    if (onStale !== undefined && !['requeue', 'escalate', 'dead_letter'].includes(onStale)) {
      throw new FleetError('INVALID_INPUT', '--on-stale must be requeue, escalate or dead_letter');
    }
    const out = await withApp(args, async (app) =>
      submitTask(app.deps, await cliActor(app.deps, undefined), {
        title,
        instructions: text.slice(0, LIMITS.longText),
        to_role: str(args, 'to'),
        to_agent: str(args, 'to-agent'),
        type: str(args, 'type'),
        priority: intOption(args, 'priority'),
        ttl_seconds: intOption(args, 'ttl'),
        max_attempts: intOption(args, 'max-attempts'),
        idempotency_key: str(args, 'idempotency-key'),
        expected_evidence: str(args, 'expect')
          ?.split(',')
          .map((k) => k.trim())
          .filter(Boolean),
        on_stale: onStale as 'requeue' | 'escalate' | 'dead_letter' | undefined,
      }),
      { create: true }, // queuing work may come before any worker: it starts the fleet
    );
    if (flag(args, 'json')) printJson({ run_id: out.run.id, state: out.run.state, deduplicated: out.deduplicated });
    else printLine(out.run.id);
    return 0;
  },
};

export const statusCommand: Command = {
  path: ['status'],
  summary: 'the whole fleet on one screen; with RUN_ID, one run: state, owner, attempts, lease',
  usage: 'fleetdeck status [RUN_ID] [--json]',
  options: {},
  positionals: true,
  async run(args) {
    if (args.positionals.length === 0) return fleetStatus(args);
    const id = positional(args, 'RUN_ID', this.usage);
    const { run, external } = await withApp(args, (app) => getRunView(app.deps, id));
    if (flag(args, 'json')) {
      printJson({ ...runSummaryOut(run), external: external ? { origin: external.origin, task_id: external.taskId, from: external.sender, reply_to: external.replyTo } : null });
      return 0;
    }
    const state = run.state === 'completed' ? colour(run.state, 'green') : run.state === 'dead' || run.state === 'failed' ? colour(run.state, 'red') : run.state;
    printLine(`${run.id}  ${state}${run.deadReason ? ` (${run.deadReason})` : ''}  ${run.title}`);
    printLine(`  target ${run.toAgent ?? `role ${run.toRole}`}, priority ${run.priority}, attempt ${run.attempts}/${run.maxAttempts}, epoch ${run.leaseEpoch}`);
    if (external) printLine(`  from ${external.origin}: task ${external.taskId} sent by ${external.sender}, completion to ${external.replyTo ?? '-'}`);
    if (run.ownerId) printLine(`  owner ${run.ownerId}, lease until ${iso(run.leaseExpiresAt) ?? '-'}`);
    if (run.stateReason) printLine(`  reason ${run.stateReason}`);
    if (run.lastError) printLine(`  last error ${run.lastError}`);
    return 0;
  },
};

export const resultCommand: Command = {
  path: ['result'],
  summary: "show a run's result: outcome, summary and evidence",
  usage: 'fleetdeck result RUN_ID [--json]\nExit code 0 when the run completed, 3 when it has no result yet, 2 otherwise.',
  options: {},
  positionals: true,
  async run(args) {
    const id = positional(args, 'RUN_ID', this.usage);
    const { run, evidence } = await withApp(args, (app) => getRunView(app.deps, id));
    const code = run.state === 'completed' ? 0 : run.result === null ? 3 : 2;
    if (flag(args, 'json')) {
      printJson({ run_id: run.id, state: run.state, result: runSummaryOut(run).result, evidence });
      return code;
    }
    if (!run.result) {
      printLine(`${run.id} is ${run.state}: no result yet`);
      return code;
    }
    printLine(`${run.id} ${run.result.outcome} (state ${run.state}) by ${run.result.by} at ${iso(run.result.at)}`);
    printLine('');
    printLine(run.result.summary);
    printLine('');
    printTable(
      ['artifact', 'kind', 'name', 'bytes', 'sha256'],
      evidence.map((a) => [a.id, a.kind, a.name, a.bytes, a.sha256.slice(0, 16)]),
    );
    return code;
  },
};

const SUMMARY_WITH_FILE_MAX = LIMITS.longText;

async function closeRun(args: ParsedArgs, outcome: 'completed' | 'failed'): Promise<number> {
  const id = positional(args, 'RUN_ID', outcome === 'completed' ? completeCommand.usage : failCommand.usage);
  const summary = outcome === 'completed' ? requireStr(args, 'summary', 'e.g. --summary "tests pass"') : requireStr(args, 'reason', 'e.g. --reason "build broke"');
  const resultFile = str(args, 'result-file');
  const fileText = resultFile === undefined ? undefined : await readText(resultFile);
  const epoch = intOption(args, 'lease-epoch');
  const out = await withApp(args, async (app) => {
    const actor = await cliActor(app.deps, str(args, 'agent'));
    const evidence: string[] = [];
    let text = summary;
    if (fileText !== undefined) {
      if (actor.kind === 'agent') {
        const attached = await attachEvidence(app.deps, actor.agentId, {
          run_id: id,
          kind: 'report',
          content: fileText,
          name: basename(resultFile!),
          lease_epoch: epoch,
        });
        evidence.push(attached.artifact.id);
      } else {
        // the operator holds no run, so it cannot attach evidence: the file becomes the summary's body
        text = `${summary}\n\n${fileText}`.slice(0, SUMMARY_WITH_FILE_MAX);
      }
    }
    return submitResult(app.deps, actor, {
      run_id: id,
      outcome,
      summary: text,
      evidence,
      retryable: outcome === 'failed' ? flag(args, 'retryable') : undefined,
      lease_epoch: epoch,
    });
  });
  if (flag(args, 'json')) printJson({ ...runSummaryOut(out.run), late: out.late, retry_at: iso(out.retryAt) });
  else printLine(`${out.run.id} ${out.run.state}${out.retryAt ? ` (retry after ${iso(out.retryAt)})` : ''}${out.late ? ' (late result accepted)' : ''}`);
  return 0;
}

const actorUsage = [
  '  --agent AGENT_ID   act as that agent (its token must be in this OS user\'s vault); it must hold the run',
  '  --lease-epoch N    with --agent: the epoch it holds',
  'Without --agent the command acts as the operator of this OS user: it may close any open run and the',
  'holder (if any) is told its lease was lost.',
].join('\n');

export const completeCommand: Command = {
  path: ['complete'],
  summary: 'complete a run as a script worker (--summary, optional --result-file)',
  usage: `fleetdeck complete RUN_ID --summary S [--result-file F] [--agent AGENT_ID] [--lease-epoch N] [--json]\n${actorUsage}\n  --result-file F    with --agent: attached as a 'report' artifact; otherwise appended to the summary`,
  options: { summary: { type: 'string' }, 'result-file': { type: 'string' }, agent: { type: 'string' }, 'lease-epoch': { type: 'string' } },
  positionals: true,
  run: (args) => closeRun(args, 'completed'),
};

export const failCommand: Command = {
  path: ['fail'],
  summary: 'fail a run as a script worker (--reason, --retryable to retry with backoff)',
  usage: `fleetdeck fail RUN_ID --reason R [--retryable] [--result-file F] [--agent AGENT_ID] [--lease-epoch N] [--json]\n${actorUsage}`,
  options: { reason: { type: 'string' }, retryable: { type: 'boolean' }, 'result-file': { type: 'string' }, agent: { type: 'string' }, 'lease-epoch': { type: 'string' } },
  positionals: true,
  run: (args) => closeRun(args, 'failed'),
};

export const dlqCommand: Command = {
  path: ['dlq'],
  summary: 'list dead letters with their reasons',
  usage: 'fleetdeck dlq [--limit N] [--json]',
  options: { limit: { type: 'string' } },
  async run(args) {
    const limit = Math.min(Math.max(intOption(args, 'limit') ?? 50, 1), 500);
    const dead = await withApp(args, (app) => deadLetters(app.deps, limit));
    if (flag(args, 'json')) {
      printJson({ dead_letters: dead.map((d) => ({ ...d, finished_at: iso(d.finished_at) })) });
      return 0;
    }
    printTable(
      ['run', 'reason', 'attempts', 'target', 'title', 'last error'],
      dead.map((d) => [d.run_id, d.dead_reason, `${d.attempts}/${d.max_attempts}`, d.target, d.title, d.last_error]),
    );
    return 0;
  },
};

export const requeueCommand: Command = {
  path: ['requeue'],
  summary: 'requeue a dead, failed or cancelled run for a new attempt',
  usage: 'fleetdeck requeue RUN_ID [--reason R] [--json]',
  options: { reason: { type: 'string' } },
  positionals: true,
  async run(args) {
    const id = positional(args, 'RUN_ID', this.usage);
    const run = await withApp(args, async (app) => requeueRun(app.deps, await cliActor(app.deps, undefined), { run_id: id, reason: str(args, 'reason') }));
    if (flag(args, 'json')) printJson(runSummaryOut(run));
    else printLine(`${run.id} queued (attempt budget ${run.maxAttempts}, ${run.attempts} used)`);
    return 0;
  },
};

export const runsCommand: Command = {
  path: ['runs'],
  summary: 'list runs, newest first (--state, --role, --limit)',
  usage: `fleetdeck runs [--state S[,S]] [--role R] [--limit N] [--json]\nStates: ${RUN_STATES.join(', ')}`,
  options: { state: { type: 'string' }, role: { type: 'string' }, limit: { type: 'string' } },
  async run(args) {
    const states = str(args, 'state')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const s of states ?? []) {
      if (!(RUN_STATES as readonly string[]).includes(s)) throw new FleetError('INVALID_INPUT', `unknown state ${s}`, `one of ${RUN_STATES.join(', ')}`);
    }
    const page = await withApp(args, async (app) =>
      listRuns(app.deps, await cliActor(app.deps, undefined), { state: states as RunState[] | undefined, role: str(args, 'role'), limit: intOption(args, 'limit') ?? 50 }),
    );
    if (flag(args, 'json')) {
      printJson({ runs: page.runs.map(runSummaryOut), next_cursor: page.nextCursor });
      return 0;
    }
    printTable(
      ['run', 'state', 'target', 'owner', 'attempts', 'title'],
      page.runs.map((r) => [r.id, r.deadReason ? `${r.state} (${r.deadReason})` : r.state, r.toAgent ?? r.toRole, r.ownerId, `${r.attempts}/${r.maxAttempts}`, r.title]),
    );
    return 0;
  },
};

