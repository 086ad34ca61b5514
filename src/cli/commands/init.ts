import { join, resolve } from 'node:path';
import { gitTopLevel } from '../../hooks/workspace.js';
import { FleetError } from '../../domain/errors.js';
import { configFrom, flag, str, withApp, type Command } from '../command.js';
import { existingHookFlags, mergeHooks, type SettingsDoc } from '../init/claude-settings.js';
import { LAUNCHER_FILE, LAUNCHER_SCRIPT } from '../init/launcher.js';
import { ensureIgnored, planJson, planText, readJsonDoc, writePlanned, type PlannedFile } from '../init/files.js';
import { chooseInvocation, shellQuote, type Invocation } from '../init/invocation.js';
import { printError, printJson, printLine } from '../output.js';

export { CLI_PATH, shellQuote } from '../init/invocation.js';

type McpEntry = { command: string; args: string[]; env?: Record<string, string> } | { type: 'http'; url: string; headers: Record<string, string> };

export function entryFor(options: { invocation: Invocation; db?: string; http?: string; operator: boolean }): McpEntry {
  if (options.http) {
    // the token stays out of the file: Claude Code expands ${FLEETDECK_TOKEN} from the environment
    return { type: 'http', url: options.http, headers: { Authorization: 'Bearer ${FLEETDECK_TOKEN}' } };
  }
  const { server } = options.invocation;
  const args = [...server.args, 'serve', options.operator ? '--operator' : '--session', ...(options.db ? ['--db', options.db] : [])];
  return { command: server.command, args };
}

/** An entry an earlier `fleetdeck init` wrote (e.g. with absolute paths): ours to update. */
function looksLikeOurs(entry: unknown): boolean {
  if (typeof entry !== 'object' || entry === null || !('args' in entry) || !Array.isArray(entry.args)) return false;
  const words = [String((entry as { command?: unknown }).command ?? ''), ...entry.args.map(String)];
  return words.includes('serve') && words.some((w) => /(^|\/)fleetdeck$|dist\/cli\.js$/.test(w));
}

export const initCommand: Command = {
  path: ['init'],
  summary: "write this repository's .mcp.json and Claude Code hooks (.claude/settings.json) so an assistant working here joins this fleet",
  usage: [
    'fleetdeck init [--name fleetdeck] [--operator] [--http URL] [--force] [--dir DIR] [--dry-run] [--json]',
    '               [--no-hooks] [--auto-claim] [--block-stop] [--strict] [--local] [--command CMD] [--db PATH]',
    '',
    '  At the git top-level of DIR (default: the current directory), merges into .mcp.json a stdio server',
    '  `fleetdeck serve --session` (the session\'s agent, shared with its hooks) and into .claude/settings.json',
    '  the hooks `fleetdeck hook …` for SessionStart, PreToolUse (Edit|Write|MultiEdit|NotebookEdit),',
    '  PostToolUse, UserPromptSubmit and Stop. Other servers, hooks and settings are kept; running it again',
    '  changes nothing. Committed files name no absolute path: they run the committed launcher',
    '  .claude/fleetdeck.sh, which finds fleetdeck in the node_modules of this worktree or of the main',
    '  checkout (a fresh git worktree has none), or on PATH. Otherwise (a source checkout), or with --local or --db, the hooks go to',
    '  .claude/settings.local.json and the server is printed as a `claude mcp add --scope local` command.',
    '  --http URL    point at a shared HTTP server instead (token from $FLEETDECK_TOKEN); no hooks',
    '  --operator    an operator entry (serve --operator) instead of an agent one; no hooks',
    '  --force       replace an existing, different entry of that name',
    '  --dry-run     print what would be written, write nothing',
    '  --no-hooks    only the MCP server entry',
    '  --auto-claim / --block-stop / --strict   passed to the hooks (see fleetdeck hook --help); kept when',
    '                init runs again, unless --reset',
    '  --reset       write the hooks with only the options given now',
    '  --command CMD how the entries run fleetdeck (e.g. "npx fleetdeck")',
  ].join('\n'),
  options: {
    name: { type: 'string' },
    operator: { type: 'boolean' },
    http: { type: 'string' },
    force: { type: 'boolean' },
    dir: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'no-hooks': { type: 'boolean' },
    'auto-claim': { type: 'boolean' },
    'block-stop': { type: 'boolean' },
    strict: { type: 'boolean' },
    local: { type: 'boolean' },
    command: { type: 'string' },
    reset: { type: 'boolean' },
  },
  async run(args) {
    const config = configFrom(args);
    const operator = flag(args, 'operator');
    const name = str(args, 'name') ?? (operator ? 'fleetdeck-operator' : 'fleetdeck');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new FleetError('INVALID_INPUT', `invalid server name: ${name}`, 'letters, digits, - and _');
    const http = str(args, 'http');
    if (http !== undefined && !/^https?:\/\/[^\s]+$/.test(http)) throw new FleetError('INVALID_INPUT', `--http needs a URL: ${http}`, 'e.g. --http http://fleet.internal:8765/mcp');
    const command = str(args, 'command');
    if (command !== undefined && !/^[^\s'"`$;&|<>]+( [^\s'"`$;&|<>]+)*$/.test(command.trim())) {
      throw new FleetError('INVALID_INPUT', `--command must be plain words: ${command}`, 'e.g. --command fleetdeck, or --command "npx fleetdeck"');
    }
    const dryRun = flag(args, 'dry-run');
    if (http === undefined && !dryRun) await withApp(args, async () => undefined, { create: true }); // the fleet this repository joins exists from now on
    const root = gitTopLevel(resolve(str(args, 'dir') ?? '.'));
    // a database path is this machine's: it never goes into a committed file
    const db = str(args, 'db') !== undefined ? config.db : undefined;
    const invocation = chooseInvocation({ root, command, local: flag(args, 'local') || db !== undefined });
    const entry = entryFor({ invocation, db, http, operator });
    const planned: PlannedFile[] = [];

    // the MCP server: .mcp.json when the entry is the project's, else a `claude mcp add --scope local` command
    const mcpFile = join(root, '.mcp.json');
    const projectServer = http !== undefined || invocation.scope === 'project';
    if (projectServer) {
      const doc = readJsonDoc(mcpFile);
      const servers = (doc.mcpServers ?? {}) as Record<string, unknown>;
      const existing = servers[name];
      const same = existing !== undefined && JSON.stringify(existing) === JSON.stringify(entry);
      if (existing !== undefined && !same && !looksLikeOurs(existing) && !flag(args, 'force')) {
        throw new FleetError('INVALID_STATE', `${mcpFile} already has a different '${name}' server`, `pass --force to replace it, or --name to add another (it is: ${JSON.stringify(existing)})`);
      }
      planned.push(planJson(mcpFile, doc, { ...doc, mcpServers: { ...servers, [name]: entry } }));
    }
    const claudeCommand =
      'url' in entry
        ? // double quotes: the shell expands $FLEETDECK_TOKEN when the command is run
          `${['claude', 'mcp', 'add', '--transport', 'http', name, entry.url].map(shellQuote).join(' ')} --header "Authorization: Bearer $FLEETDECK_TOKEN"`
        : ['claude', 'mcp', 'add', ...(projectServer ? [] : ['--scope', 'local']), name, '--', entry.command, ...entry.args].map(shellQuote).join(' ');

    // the hooks: an agent session's, on this machine's database
    const withHooks = !flag(args, 'no-hooks') && http === undefined && !operator;
    let kept: string[] = [];
    const settingsFile = join(root, '.claude', invocation.scope === 'project' ? 'settings.json' : 'settings.local.json');
    if (withHooks) {
      const doc = readJsonDoc(settingsFile) as SettingsDoc;
      // running init again keeps the options the hooks have (--reset drops them)
      const had = flag(args, 'reset') ? { autoClaim: false, blockStop: false, strict: false } : existingHookFlags(doc);
      const flags = { autoClaim: flag(args, 'auto-claim') || had.autoClaim, blockStop: flag(args, 'block-stop') || had.blockStop, strict: flag(args, 'strict') || had.strict, db };
      kept = [had.autoClaim && !flag(args, 'auto-claim') ? '--auto-claim' : '', had.blockStop && !flag(args, 'block-stop') ? '--block-stop' : '', had.strict && !flag(args, 'strict') ? '--strict' : ''].filter(Boolean);
      const merged = mergeHooks(doc, invocation.hook, flags);
      planned.push(planJson(settingsFile, doc, merged));
    }
    if (invocation.launcher && (withHooks || projectServer)) planned.push(planText(join(root, LAUNCHER_FILE), LAUNCHER_SCRIPT, 0o755));
    if (!dryRun) {
      for (const p of planned) writePlanned(p);
      if (withHooks && invocation.scope === 'local') ensureIgnored(root, settingsFile);
    }

    if (flag(args, 'json')) {
      printJson({
        root,
        scope: invocation.scope,
        source: invocation.source,
        dry_run: dryRun,
        file: projectServer ? mcpFile : null,
        name,
        entry,
        written: !dryRun && planned.some((p) => p.file === mcpFile && p.changed),
        hooks_file: withHooks ? settingsFile : null,
        kept_options: kept,
        files: planned.map((p) => ({ file: p.file, changed: p.changed, ...(dryRun ? { content: p.content } : {}) })),
        claude_command: claudeCommand,
      });
      return 0;
    }
    for (const p of planned) {
      if (dryRun) {
        printError(p.changed ? `would write ${p.file}:` : `${p.file} is already up to date`);
        if (p.changed) printLine(p.content.trimEnd());
      } else printError(p.changed ? `wrote ${p.file}` : `${p.file} is already up to date`);
    }
    if (kept.length > 0) printError(`kept ${kept.join(' ')} from the existing hooks (--reset drops them)`);
    if ('url' in entry) printError('set FLEETDECK_TOKEN in the environment of the assistant (fleetdeck token create --agent NAME --role ROLE)');
    if (invocation.scope === 'local' && !http) {
      printError(`fleetdeck is not installed in this repository or on PATH${db ? ' (or --db was given)' : ''}: the entries are personal to this machine.`);
      printError('add the MCP server for yourself with:');
    } else printError('the same server for Claude Code without the file:');
    printLine(claudeCommand);
    return 0;
  },
};
