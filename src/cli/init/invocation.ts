/**
 * How the files `fleetdeck init` writes start fleetdeck. Committed files (.mcp.json,
 * .claude/settings.json) must work on every clone, so they name no user- or machine-specific
 * path: the repository's own install (`npx fleetdeck`, and for hooks, which run on every tool
 * call, the bin itself under "$CLAUDE_PROJECT_DIR") or `fleetdeck` on PATH. When neither exists
 * (fleetdeck run from a checkout), or a database path was given, the entries are personal: hooks
 * in .claude/settings.local.json and the server added with `claude mcp add --scope local`.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI of this package (dist/cli.js), absolute. */
export const CLI_PATH = fileURLToPath(new URL('../../cli.js', import.meta.url));

export interface Invocation {
  /** where the entries go: committed project files, or the user's own */
  scope: 'project' | 'local';
  /** how: the repository's node_modules, PATH, a --command, or this checkout by absolute path */
  source: 'repo' | 'path' | 'command' | 'checkout';
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
    return { scope: options.local ? 'local' : 'project', source: 'command', server: { command: words[0]!, args: words.slice(1) }, hook: words.map(shellQuote).join(' ') };
  }
  if (!options.local) {
    if (existsSync(join(options.root, 'node_modules', '.bin', 'fleetdeck'))) {
      return { scope: 'project', source: 'repo', server: { command: 'npx', args: ['--no', 'fleetdeck'] }, hook: '"$CLAUDE_PROJECT_DIR"/node_modules/.bin/fleetdeck' };
    }
    if (onPath('fleetdeck', env)) return { scope: 'project', source: 'path', server: { command: 'fleetdeck', args: [] }, hook: 'fleetdeck' };
  }
  return { scope: 'local', source: 'checkout', server: { command: process.execPath, args: [CLI_PATH] }, hook: [process.execPath, CLI_PATH].map(shellQuote).join(' ') };
}
