import { FleetError } from '../domain/errors.js';
import { VERSION } from '../version.js';
import { parseCommandArgs, type Command } from './command.js';
import { COMMANDS } from './commands/index.js';
import { printError, printJson, printLine } from './output.js';

/** Picks the command whose path is the longest prefix of argv, parses its flags and runs it. */
export async function runCli(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    printHelp();
    return 0;
  }
  if (argv[0] === '--version' || argv[0] === 'version') {
    printLine(VERSION);
    return 0;
  }
  const command = findCommand(argv);
  if (!command) {
    printError(`fleetdeck: unknown command '${argv.join(' ')}'. Run 'fleetdeck help'.`);
    return 1;
  }
  const rest = argv.slice(command.path.length);
  let args;
  try {
    args = parseCommandArgs(command, rest);
  } catch (error) {
    printError(`fleetdeck ${command.path.join(' ')}: ${(error as Error).message}\n\n${command.usage}`);
    return 1;
  }
  if (args.values.help) {
    printLine(`${command.summary}\n\n${command.usage}`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof FleetError) {
      if (args.values.json) printJson({ error: { code: error.code, message: error.message, hint: error.hint } });
      printError(`fleetdeck ${command.path.join(' ')}: ${error.code}: ${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}`);
      return 1;
    }
    throw error;
  }
}

function findCommand(argv: string[]): Command | undefined {
  return [...COMMANDS]
    .sort((a, b) => b.path.length - a.path.length)
    .find((c) => c.path.every((word, i) => argv[i] === word));
}

function printHelp(): void {
  printLine(`fleetdeck ${VERSION}: an agent control plane served over MCP\n`);
  printLine('Commands:');
  for (const c of COMMANDS) printLine(`  fleetdeck ${c.path.join(' ').padEnd(18)} ${c.summary}`);
  printLine("\nRun 'fleetdeck COMMAND --help' for a command's options.");
}
