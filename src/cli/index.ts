import { FleetError } from '../domain/errors.js';
import { VERSION } from '../version.js';
import type { Command } from './command.js';
import { COMMANDS, loadAllCommands, SECTIONS, type CommandEntry } from './commands/index.js';
import { cliHint } from './hints.js';
import { printError, printJson, printLine, screenWidth } from './output.js';

/** Picks the command whose path is the longest prefix of argv, loads it, parses its flags and runs it. */
export async function runCli(argv: string[]): Promise<number> {
  const [first, ...more] = argv;
  if (first === undefined || first === '--help' || first === '-h') return printHelp();
  if (first === 'help') return more.length ? helpFor(more) : printHelp();
  if (first === '--version' || first === '-v' || first === 'version') {
    printLine(VERSION);
    return 0;
  }
  const entry = findCommand(argv);
  if (!entry) return unknownCommand(argv);
  const command = await entry.load();
  // the argument parser comes with the settings (zod): loaded with a command, never for -v or help
  const { parseCommandArgs } = await import('./command.js');
  const rest = argv.slice(command.path.length);
  let args;
  try {
    args = parseCommandArgs(command, rest);
  } catch (error) {
    printError(`fleetdeck ${command.path.join(' ')}: ${(error as Error).message}\n\n${command.usage}`);
    return 1;
  }
  if (args.values.help) {
    printCommandHelp(command);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof FleetError) {
      const hint = error.hint ? cliHint(error.hint) : undefined;
      const message = cliHint(error.message);
      if (args.values.json) printJson({ error: { code: error.code, message, hint } });
      printError(`fleetdeck ${command.path.join(' ')}: ${error.code}: ${message}${hint ? ` (hint: ${hint})` : ''}`);
      return 1;
    }
    throw error;
  }
}

function findCommand(argv: string[]): CommandEntry | undefined {
  return [...COMMANDS].sort((a, b) => b.path.length - a.path.length).find((c) => c.path.every((word, i) => argv[i] === word));
}

/** The words a person typed as the command: everything before the first flag. */
const commandWords = (argv: string[]): string[] => {
  const end = argv.findIndex((a) => a.startsWith('-'));
  return end < 0 ? argv : argv.slice(0, end);
};

/** `fleetdeck token` (a group without its subcommand) lists the group; anything else is unknown. */
async function unknownCommand(argv: string[]): Promise<number> {
  const words = commandWords(argv);
  const group = COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === words[0]);
  if (group.length > 0) {
    const asked = words.length === 1 && argv.length === 1;
    if (!asked) printError(`fleetdeck: unknown command '${words.slice(0, 2).join(' ')}'.`);
    (asked ? printLine : printError)(`'fleetdeck ${words[0]}' needs a subcommand:\n${await listing(group)}`);
    return asked ? 0 : 1;
  }
  const typed = words[0] ?? argv[0] ?? '';
  const near = suggest(typed);
  printError(`fleetdeck: unknown command '${typed}'.${near ? ` Did you mean 'fleetdeck ${near}'?` : ''} Run 'fleetdeck help' for the list.`);
  return 1;
}

async function helpFor(words: string[]): Promise<number> {
  const entry = findCommand(words);
  if (entry && entry.path.length === words.length) {
    printCommandHelp(await entry.load());
    return 0;
  }
  return unknownCommand(words);
}

function printCommandHelp(command: Command): void {
  printLine(`fleetdeck ${command.path.join(' ')}: ${command.summary}\n\n${command.usage}`);
}

/** `  fleetdeck NAME  summary`, the summary wrapped under itself to fit the screen. */
async function listing(entries: CommandEntry[]): Promise<string> {
  const commands = await loadAllCommands(entries);
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  const indent = 2 + 'fleetdeck '.length + width + 2;
  const room = Math.max(30, screenWidth() - indent);
  return commands
    .map((c) => `  fleetdeck ${c.path.join(' ').padEnd(width)}  ${wrap(c.summary, room).join(`\n${' '.repeat(indent)}`)}`)
    .join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

async function printHelp(): Promise<number> {
  printLine(`fleetdeck ${VERSION}: an agent control plane served over MCP\n`);
  for (const [section, title] of Object.entries(SECTIONS)) {
    printLine(`${title}:`);
    printLine(await listing(COMMANDS.filter((c) => c.section === section)));
    printLine();
  }
  printLine("'fleetdeck help COMMAND' (or 'fleetdeck COMMAND --help') shows a command's options.");
  printLine("'fleetdeck -v' prints the version.");
  return 0;
}

/** The nearest command name by edit distance, when it is close enough to be a typo. */
function suggest(word: string): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of new Set(COMMANDS.map((c) => c.path.join(' ')))) {
    const d = distance(word, name.split(' ')[0]!);
    if (!best || d < best.d) best = { name: name.split(' ')[0]!, d };
  }
  return best && best.d <= Math.max(1, Math.floor(word.length / 3)) ? best.name : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}
