#!/usr/bin/env node
const argv = process.argv.slice(2);

// Hooks run on every tool call of a coding assistant: `fleetdeck hook` skips the command table,
// whose imports include the MCP SDK, and loads only the hook's own modules.
async function main(): Promise<number> {
  if (argv[0] === 'hook') {
    const { runHookCli } = await import('./cli/commands/hook.js');
    return runHookCli(argv.slice(1));
  }
  const { runCli } = await import('./cli/index.js');
  return runCli(argv);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`fleetdeck: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
