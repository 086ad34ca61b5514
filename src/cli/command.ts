import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, SETTINGS, type Config, type SettingKey } from '../config.js';
import { FleetError } from '../domain/errors.js';
import type { App } from '../main.js';
import { ensureFleetDirectory, requireExistingFleet } from './fleet-file.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Command {
  /** words that select it, e.g. ['audit', 'verify'] */
  path: string[];
  summary: string;
  usage: string;
  options: OptionSpec;
  /** allow positional arguments */
  positionals?: boolean;
  run(args: ParsedArgs): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** The settings flags (--db, --agent-lease-seconds, …) every command accepts. */
export const SETTING_OPTIONS: OptionSpec = Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: 'string' as const }]));

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  const parsed = parseArgs({
    args: argv,
    options: { ...SETTING_OPTIONS, ...command.options, help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } },
    allowPositionals: command.positionals ?? false,
    strict: true,
  });
  return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals };
}

export function configFrom(args: ParsedArgs): Config {
  const flags: Partial<Record<SettingKey, string>> = {};
  for (const s of SETTINGS) {
    const v = args.values[s.flag];
    if (typeof v === 'string') flags[s.key] = v;
  }
  return loadConfig(flags);
}

/**
 * Opens the app for a one-shot command (no sweeper), runs `fn`, and always closes. The database
 * must exist unless `create` (a command that starts a fleet): see fleet-file.ts.
 */
export async function withApp<T>(args: ParsedArgs, fn: (app: App) => Promise<T>, options: { create?: boolean } = {}): Promise<T> {
  const config = configFrom(args);
  if (options.create) ensureFleetDirectory(config.db);
  else requireExistingFleet(config.db);
  // loaded here, not at the top: commands that never open the fleet (help, init, a hook with
  // nothing to check) do not pay for the store and the services
  const { openApp } = await import('../main.js');
  const app = await openApp({ ...config, logLevel: typeof args.values['log-level'] === 'string' ? config.logLevel : 'warn' });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

export function str(args: ParsedArgs, key: string): string | undefined {
  const v = args.values[key];
  return typeof v === 'string' ? v : undefined;
}

export function flag(args: ParsedArgs, key: string): boolean {
  return args.values[key] === true;
}

export function requireStr(args: ParsedArgs, key: string, hint: string): string {
  const v = str(args, key);
  if (!v) throw new FleetError('INVALID_INPUT', `--${key} is required`, hint);
  return v;
}
