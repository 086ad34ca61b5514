import { userInfo } from 'node:os';
import type { Actor } from '../../domain/actor.js';
import { DECISIONS, type Decision } from '../../domain/blocker.js';
import { FleetError } from '../../domain/errors.js';
import { HANDOFF_STATES, type HandoffState } from '../../domain/handoff.js';
import { blockerOut, handoffOut } from '../../mcp/tools/handoff-schemas.js';
import { listBlockers } from '../../services/blockers/queries.js';
import { resolveBlocker, type ResolveInput } from '../../services/blockers/resolve.js';
import { renderHandoffMarkdown } from '../../services/handoffs/markdown.js';
import { getHandoff, listHandoffs } from '../../services/handoffs/queries.js';
import { flag, str, withApp, type Command, type ParsedArgs } from '../command.js';
import { colour, printJson, printLine, printTable } from '../output.js';

/** The CLI acts as the operator identity of this OS user (the same trust boundary as serve --operator). */
export const operatorActor = (): Actor => ({ kind: 'operator', name: userInfo().username });

function positional(args: ParsedArgs, what: string, example: string): string {
  const id = args.positionals[0];
  if (!id || args.positionals.length > 1) throw new FleetError('INVALID_INPUT', `give exactly one ${what}`, `e.g. ${example}`);
  return id;
}

async function decide(args: ParsedArgs, input: ResolveInput): Promise<number> {
  const out = await withApp(args, (app) => resolveBlocker(app.deps, operatorActor(), input));
  const blocker = blockerOut(out.view);
  if (flag(args, 'json')) {
    printJson({ blocker, run: { run_id: out.run.id, state: out.run.state, owner_id: out.run.ownerId }, effect: out.effect });
  } else {
    printLine(`${colour(blocker.decision ?? '', 'green')} ${blocker.blocker_id}: run ${out.run.id} ${out.effect.replace(/_/g, ' ')} (${out.run.state})`);
  }
  return 0;
}

const idUsage = (verb: string, rest: string) => `fleetdeck ${verb} BLOCKER_ID ${rest}[--json] [--db PATH]\nActs as the operator of this OS user; the run owner learns the decision on its next tool result.`;

export const approveCommand: Command = {
  path: ['approve'],
  summary: 'approve a blocker (the run goes back to its owner)',
  usage: idUsage('approve', '[--note TEXT] '),
  options: { note: { type: 'string' } },
  positionals: true,
  run: (args) => decide(args, { blocker_id: positional(args, 'blocker id', 'fleetdeck approve blk_…'), decision: 'approve', text: str(args, 'note') }),
};

export const denyCommand: Command = {
  path: ['deny'],
  summary: 'deny a blocker with a reason (the owner must change course)',
  usage: idUsage('deny', '--reason TEXT '),
  options: { reason: { type: 'string' } },
  positionals: true,
  run: (args) => decide(args, { blocker_id: positional(args, 'blocker id', 'fleetdeck deny blk_… --reason "…"'), decision: 'deny', text: str(args, 'reason') }),
};

export const answerCommand: Command = {
  path: ['answer'],
  summary: 'answer a blocker with text or one of its options',
  usage: idUsage('answer', '(--text TEXT | --option OPTION) '),
  options: { text: { type: 'string' }, option: { type: 'string' } },
  positionals: true,
  run: (args) =>
    decide(args, { blocker_id: positional(args, 'blocker id', 'fleetdeck answer blk_… --text "…"'), decision: 'answer', text: str(args, 'text'), option: str(args, 'option') }),
};

export const redirectCommand: Command = {
  path: ['redirect'],
  summary: 'resolve a blocker with new instructions for the run',
  usage: idUsage('redirect', '--instructions TEXT '),
  options: { instructions: { type: 'string' } },
  positionals: true,
  run: (args) => decide(args, { blocker_id: positional(args, 'blocker id', 'fleetdeck redirect blk_… --instructions "…"'), decision: 'redirect', text: str(args, 'instructions') }),
};

export const resolveCommand: Command = {
  path: ['resolve'],
  summary: 'resolve a blocker with any decision (reassign, pause, cancel, …)',
  usage: idUsage('resolve', `--decision ${DECISIONS.join('|')} [--text T] [--option O] [--to-agent AGENT_ID | --to-role ROLE] `),
  options: { decision: { type: 'string' }, text: { type: 'string' }, option: { type: 'string' }, 'to-agent': { type: 'string' }, 'to-role': { type: 'string' } },
  positionals: true,
  run: (args) => {
    const decision = str(args, 'decision');
    if (!decision || !(DECISIONS as readonly string[]).includes(decision)) {
      throw new FleetError('INVALID_INPUT', `--decision must be one of ${DECISIONS.join(', ')}`, 'e.g. --decision reassign --to-role reviewer');
    }
    return decide(args, {
      blocker_id: positional(args, 'blocker id', 'fleetdeck resolve blk_… --decision cancel --text "…"'),
      decision: decision as Decision,
      text: str(args, 'text'),
      option: str(args, 'option'),
      to_agent: str(args, 'to-agent'),
      to_role: str(args, 'to-role'),
    });
  },
};

export const blockersCommand: Command = {
  path: ['blockers'],
  summary: 'list open blockers, oldest first (--all for decided ones too)',
  usage: 'fleetdeck blockers [--all] [--run RUN_ID] [--agent AGENT_ID] [--json] [--db PATH]',
  options: { all: { type: 'boolean' }, run: { type: 'string' }, agent: { type: 'string' } },
  async run(args) {
    const views = await withApp(args, (app) =>
      listBlockers(app.deps, { states: flag(args, 'all') ? ['open', 'resolved', 'obsolete'] : ['open'], run_id: str(args, 'run'), agent_id: str(args, 'agent'), limit: 200 }),
    );
    const blockers = views.map(blockerOut);
    if (flag(args, 'json')) {
      printJson({ blockers });
      return 0;
    }
    printTable(
      ['BLOCKER', 'STATE', 'KIND', 'WAITING', 'RUN', 'OWNER', 'LIVENESS', 'QUESTION', 'DECISION'],
      blockers.map((b) => [b.blocker_id, b.state, b.origin === 'agent' ? b.kind : `${b.kind} (${b.origin})`, age(b.age_seconds), b.run_id, b.agent_name ?? b.agent_id, b.agent_liveness, b.question, b.decision]),
      60,
    );
    if (blockers.some((b) => b.state === 'open')) printLine(colour('decide with: fleetdeck approve|deny|answer|redirect|resolve BLOCKER_ID', 'dim'));
    return 0;
  },
};

export const handoffsCommand: Command = {
  path: ['handoffs'],
  summary: 'list open handoffs, oldest first (--all for every state)',
  usage: 'fleetdeck handoffs [--all | --state offered,accepted,…] [--run RUN_ID] [--json] [--db PATH]',
  options: { all: { type: 'boolean' }, state: { type: 'string' }, run: { type: 'string' } },
  async run(args) {
    const states = flag(args, 'all') ? [...HANDOFF_STATES] : parseStates(str(args, 'state'));
    const views = await withApp(args, (app) => listHandoffs(app.deps, operatorActor(), { states, run_id: str(args, 'run'), limit: 200 }));
    const handoffs = views.map(handoffOut);
    if (flag(args, 'json')) {
      printJson({ handoffs });
      return 0;
    }
    printTable(
      ['HANDOFF', 'STATE', 'WAITING', 'RUN', 'FROM', 'TO', 'SUMMARY'],
      handoffs.map((h) => [h.handoff_id, h.state, age(h.age_seconds), h.run_id, h.from_name ?? h.from_agent_id, h.to_agent_id ?? `role ${h.to_role}`, h.summary]),
      60,
    );
    return 0;
  },
};

export const handoffShowCommand: Command = {
  path: ['handoff'],
  summary: 'show one handoff as Markdown (what fleet://handoffs/{id} serves)',
  usage: 'fleetdeck handoff HANDOFF_ID [--json] [--db PATH]',
  options: {},
  positionals: true,
  async run(args) {
    const id = positional(args, 'handoff id', 'fleetdeck handoff hof_…');
    const detail = await withApp(args, (app) => getHandoff(app.deps, id));
    if (flag(args, 'json')) printJson({ handoff: handoffOut(detail), markdown: renderHandoffMarkdown(detail) });
    else printLine(renderHandoffMarkdown(detail).trimEnd());
    return 0;
  },
};

function parseStates(raw: string | undefined): HandoffState[] {
  if (!raw) return ['offered'];
  const states = raw.split(',').map((s) => s.trim());
  for (const s of states) {
    if (!(HANDOFF_STATES as readonly string[]).includes(s)) throw new FleetError('INVALID_INPUT', `unknown handoff state ${s}`, `one of ${HANDOFF_STATES.join(', ')}`);
  }
  return states as HandoffState[];
}

export function age(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
}

