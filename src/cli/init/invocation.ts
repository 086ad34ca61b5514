/**
 * How the files `fleetdeck init` writes start fleetdeck. Committed files (.mcp.json,
 * .claude/settings.json) must work on every clone and every worktree, so they name no user- or
 * machine-specific path: they run the committed launcher .claude/fleetdeck.sh (launcher.ts), which
 * finds the repository's own install (in this worktree or the main checkout) or `fleetdeck` on
 * PATH. When neither exists
 * (fleetdeck run from a checkout), or a database path was given, the entries are personal: hooks
 * in .claude/settings.local.json and the server added with `claude mcp add --scope local`.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAUNCHER_HOOK, LAUNCHER_SERVER } from './launcher.js';

/** The built CLI of this package (dist/cli.js), absolute. */
export const CLI_PATH = fileURLToPath(new URL('../../cli.js', import.meta.url));

export interface Invocation {
  /** where the entries go: committed project files, or the user's own */
  scope: 'project' | 'local';
  /** how: the repository's node_modules, PATH, a --command, or this checkout by absolute path */
  source: 'repo' | 'path' | 'command' | 'checkout';
  /** whether the entries run the committed launcher (which init then writes) */
  launcher: boolean;
  /** the MCP server: command and its leading args (`serve …` follows) */
  server: { command: string; args: string[] };
  /** a hook command line's start (a shell word list, ` hook EVENT …` follows) */
  hook: string;
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

export interface InvocationOptions {
  root: string;
  /** --command: how committed files should run fleetdeck (e.g. `fleetdeck`, `npx fleetdeck`) */
  command?: string;
  /** --local, or a machine-specific setting (--db) that must stay out of committed files */
  local: boolean;
  env?: NodeJS.ProcessEnv;
}

export function chooseInvocation(options: InvocationOptions): Invocation {
  const env = options.env ?? process.env;
  if (options.command) {
    const words = options.command.trim().split(/\s+/);
    return { scope: options.local ? 'local' : 'project', source: 'command', launcher: false, server: { command: words[0]!, args: words.slice(1) }, hook: words.map(shellQuote).join(' ') };
  }
  if (!options.local) {
    const launched = { scope: 'project' as const, launcher: true, server: { command: LAUNCHER_SERVER.command, args: [...LAUNCHER_SERVER.args] }, hook: LAUNCHER_HOOK };
    if (existsSync(join(options.root, 'node_modules', '.bin', 'fleetdeck'))) return { ...launched, source: 'repo' };
    if (onPath('fleetdeck', env)) return { ...launched, source: 'path' };
  }
  return { scope: 'local', source: 'checkout', launcher: false, server: { command: process.execPath, args: [CLI_PATH] }, hook: [process.execPath, CLI_PATH].map(shellQuote).join(' ') };
}
