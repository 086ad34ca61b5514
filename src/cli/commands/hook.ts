import { FleetError } from '../../domain/errors.js';
import { HOOK_EVENTS, isHookEvent } from '../../hooks/events.js';
import { useWorkspace } from '../../config.js';
import { fleetExists } from '../fleet-file.js';
import { configFrom, flag, parseCommandArgs, str, type Command } from '../command.js';
import { printError, printJson, printLine } from '../output.js';

export const hookCommand: Command = {
  path: ['hook'],
  summary: 'answer a Claude Code hook (session-start, pre-tool-use, post-tool-use, user-prompt-submit, stop) as this session\'s agent',
  usage: [
    'fleetdeck hook EVENT [--strict] [--auto-claim] [--block-stop] [--role ROLE] [--name NAME] [--db PATH]',
    '',
    `  EVENT: ${Object.keys(HOOK_EVENTS).join(', ')}. Reads Claude Code's hook JSON on stdin and prints`,
    '  only its JSON answer on stdout (docs/claude-code.md). `fleetdeck init` writes these hooks into',
    '  .claude/settings.json. The hook acts as the session\'s agent, the same one as the session\'s',
    '  `fleetdeck serve --session` MCP server (FLEETDECK_AGENT_ID names it explicitly).',
    '  --strict      when fleetdeck cannot be reached, exit 2 (Claude Code blocks the action) instead of',
    '                failing open with a warning',
    '  --auto-claim  pre-tool-use: claim an edited file for this agent before allowing the edit',
    '  --block-stop  stop: refuse the stop while the agent holds runs or claims (once per stop)',
    '  --role ROLE   role of a newly registered session agent (FLEETDECK_ROLE, default implementer)',
    '  --name NAME   name of a newly registered session agent (FLEETDECK_AGENT_NAME, default claude@<repo>)',
    '  FLEETDECK_HOOKS_DISABLE=pre-tool-use,stop (or all) turns hooks off without editing settings.',
  ].join('\n'),
  options: { strict: { type: 'boolean' }, 'auto-claim': { type: 'boolean' }, 'block-stop': { type: 'boolean' }, role: { type: 'string' }, name: { type: 'string' } },
  positionals: true,
  async run(args) {
    const event = args.positionals[0];
    if (event === undefined || !isHookEvent(event) || args.positionals.length > 1) {
      throw new FleetError('INVALID_INPUT', `unknown hook event: ${args.positionals.join(' ') || '(none)'}`, `one of ${Object.keys(HOOK_EVENTS).join(', ')}`);
    }
    if (disabled(event)) {
      printJson({});
      return 0;
    }
    const strict = flag(args, 'strict');
    // the hook path loads only what a hook needs (no MCP SDK): its modules are imported here
    const [{ parseHookPayload }, { sessionWorkspace }, { editedPath }, { failOpenOutput }] = await Promise.all([
      import('../../hooks/payload.js'),
      import('../../hooks/workspace.js'),
      import('../../hooks/edited-path.js'),
      import('../../hooks/answer.js'),
    ]);
    let outcome: { ok: true; output: Record<string, unknown> } | { ok: false; message: string };
    try {
      const payload = parseHookPayload(await readStdin());
      const explicit = str(args, 'workspace') ?? (process.env.FLEETDECK_WORKSPACE || undefined);
      const place = sessionWorkspace(payload, explicit);
      if (event === 'pre-tool-use' && editedPath(payload, place.root) === null) {
        printJson({}); // edits no file of the workspace: nothing to check, and no database to open
        return 0;
      }
      const { runHook } = await import('../../hooks/run.js');
      const role = str(args, 'role') ?? (process.env.FLEETDECK_ROLE || undefined);
      const name = (str(args, 'name') ?? (process.env.FLEETDECK_AGENT_NAME || undefined))?.trim().slice(0, 128);
      const config = useWorkspace(configFrom(args), place, false);
      // a hook never creates a fleet: a mistyped --db / FLEETDECK_DB must not become an empty fleet
      // that lets every edit through (the session's `serve --session` starts the default fleet)
      if (!fleetExists(config.db)) throw new FleetError('NOT_FOUND', `no fleet database at ${config.db}; nothing was created`);
      outcome = await runHook({
        event,
        payload,
        config,
        root: place.root,
        branch: place.branch,
        options: { autoClaim: flag(args, 'auto-claim'), blockStop: flag(args, 'block-stop') },
        explicitAgentId: process.env.FLEETDECK_AGENT_ID || undefined,
        name: name || undefined,
        role,
      });
    } catch (error) {
      outcome = { ok: false, message: error instanceof FleetError ? `${error.code}: ${error.message}` : (error as Error).message };
    }
    // whatever is still pending (a lock wait past the deadline) must not hold the session up
    setTimeout(() => process.exit(), 200).unref();
    if (outcome.ok) {
      printJson(outcome.output);
      return 0;
    }
    printError(`fleetdeck hook ${event}: fleetdeck unavailable: ${outcome.message}${strict ? '' : ' (failing open)'}`);
    if (strict) return 2;
    printJson(failOpenOutput(event, outcome.message));
    return 0;
  },
};

/** FLEETDECK_HOOKS_DISABLE: a comma list of events, or `all`. */
function disabled(event: string): boolean {
  const list = (process.env.FLEETDECK_HOOKS_DISABLE ?? '').split(',').map((s) => s.trim());
  return list.includes('all') || list.includes(event);
}

const MAX_STDIN = 1024 * 1024 + 1;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_STDIN) throw new FleetError('TOO_LARGE', 'hook input is larger than 1 MiB');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `fleetdeck hook …` straight from the entry point (src/cli.ts), without the command table and
 * the modules it loads. The hook never throws a FleetError (it fails open), so only flag errors
 * and --help are handled here.
 */
export async function runHookCli(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseCommandArgs(hookCommand, argv);
  } catch (error) {
    printError(`fleetdeck hook: ${(error as Error).message}\n\n${hookCommand.usage}`);
    return 1;
  }
  if (args.values.help) {
    printLine(`${hookCommand.summary}\n\n${hookCommand.usage}`);
    return 0;
  }
  try {
    return await hookCommand.run(args);
  } catch (error) {
    printError(`fleetdeck hook: ${error instanceof FleetError ? `${error.code}: ${error.message}` : (error as Error).message}`);
    return 1;
  }
}
