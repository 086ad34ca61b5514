import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultWorkspace } from '../../config.js';
import { FleetError } from '../../domain/errors.js';
import { configFrom, flag, str, withApp, type Command } from '../command.js';
import { printError, printJson, printLine } from '../output.js';

/** The built CLI of this package (dist/cli.js), absolute: the entry works from any directory. */
export const CLI_PATH = fileURLToPath(new URL('../../cli.js', import.meta.url));

type McpEntry = { command: string; args: string[]; env?: Record<string, string> } | { type: 'http'; url: string; headers: Record<string, string> };

/** POSIX shell quoting, for the printed `claude mcp add` command. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function entryFor(options: { db: string; http?: string; operator: boolean }): { entry: McpEntry; claude: string[] } {
  if (options.http) {
    const url = options.http;
    return {
      // the token stays out of the file: Claude Code expands ${FLEETDECK_TOKEN} from the environment
      entry: { type: 'http', url, headers: { Authorization: 'Bearer ${FLEETDECK_TOKEN}' } },
      claude: ['claude', 'mcp', 'add', '--transport', 'http'],
    };
  }
  const args = [CLI_PATH, 'serve', ...(options.operator ? ['--operator'] : []), '--db', options.db];
  return { entry: { command: 'node', args }, claude: ['claude', 'mcp', 'add'] };
}

export const initCommand: Command = {
  path: ['init'],
  summary: "write this repository's .mcp.json so a coding assistant working here joins this fleet",
  usage: [
    'fleetdeck init [--name fleetdeck] [--operator] [--http URL] [--force] [--dir DIR] [--json] [--db PATH]',
    '',
    '  writes (or adds to) .mcp.json at the git top-level of DIR (default: the current directory):',
    '  a stdio server `node <this package>/dist/cli.js serve --db <the fleet database>`, so every agent',
    '  started in this repository joins the same fleet; prints the equivalent `claude mcp add` command.',
    '  --http URL    point at a shared HTTP server instead; the token comes from $FLEETDECK_TOKEN',
    '  --operator    an operator entry (serve --operator) instead of an agent one',
    '  --force       replace an existing, different entry of that name',
  ].join('\n'),
  options: { name: { type: 'string' }, operator: { type: 'boolean' }, http: { type: 'string' }, force: { type: 'boolean' }, dir: { type: 'string' } },
  async run(args) {
    const config = configFrom(args);
    const name = str(args, 'name') ?? (flag(args, 'operator') ? 'fleetdeck-operator' : 'fleetdeck');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new FleetError('INVALID_INPUT', `invalid server name: ${name}`, 'letters, digits, - and _');
    const http = str(args, 'http');
    if (http !== undefined && !/^https?:\/\/[^\s]+$/.test(http)) throw new FleetError('INVALID_INPUT', `--http needs a URL: ${http}`, 'e.g. --http http://fleet.internal:8765/mcp');
    if (http === undefined) await withApp(args, async () => undefined, { create: true }); // the fleet this repository joins exists from now on
    const root = defaultWorkspace(resolve(str(args, 'dir') ?? '.'));
    const file = join(root, '.mcp.json');
    const { entry, claude } = entryFor({ db: config.db, http, operator: flag(args, 'operator') });

    let doc: { mcpServers?: Record<string, unknown> } & Record<string, unknown> = {};
    if (existsSync(file)) {
      try {
        doc = JSON.parse(readFileSync(file, 'utf8')) as typeof doc;
      } catch (error) {
        throw new FleetError('INVALID_STATE', `${file} is not valid JSON: ${(error as Error).message}`, 'fix or remove it, then run fleetdeck init again');
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new FleetError('INVALID_STATE', `${file} is not a JSON object`);
    }
    const servers = (doc.mcpServers ?? {}) as Record<string, unknown>;
    const existing = servers[name];
    const same = existing !== undefined && JSON.stringify(existing) === JSON.stringify(entry);
    if (existing !== undefined && !same && !flag(args, 'force')) {
      throw new FleetError(
        'INVALID_STATE',
        `${file} already has a different '${name}' server`,
        `pass --force to replace it, or --name to add another (it is: ${JSON.stringify(existing)})`,
      );
    }
    if (!same) {
      doc.mcpServers = { ...servers, [name]: entry };
      writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    }
    const claudeCommand =
      'url' in entry
        ? // double quotes: the shell expands $FLEETDECK_TOKEN when the command is run
          `${[...claude, name, entry.url].map(shellQuote).join(' ')} --header "Authorization: Bearer $FLEETDECK_TOKEN"`
        : [...claude, name, '--', entry.command, ...entry.args].map(shellQuote).join(' ');
    if (flag(args, 'json')) {
      printJson({ file, name, entry, written: !same, claude_command: claudeCommand });
      return 0;
    }
    printError(same ? `${file}: '${name}' is already up to date` : `${file}: wrote the '${name}' server`);
    if ('url' in entry) printError('set FLEETDECK_TOKEN in the environment of the assistant (fleetdeck token create --agent NAME --role ROLE)');
    printError('the same for Claude Code without the file:');
    printLine(claudeCommand);
    return 0;
  },
};
