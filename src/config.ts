import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { isPostgresUrl, redactUrl } from './store/open-store.js';
import { canonicalWorkspace, workspaceOf, type WorkspaceInfo } from './services/workspace-identity.js';

/**
 * Every setting, with its flag, environment variable, default and meaning. `serve --help` prints
 * this table, and flags win over the environment, which wins over the default.
 */
export const SETTINGS = [
  { key: 'db', flag: 'db', env: 'FLEETDECK_DB', default: '(per-user data dir)/fleet.db', help: 'SQLite database file shared by every server process of this fleet, or a postgres:// URL (docs/postgres.md)' },
  { key: 'dataDir', flag: 'data-dir', env: 'FLEETDECK_DATA_DIR', default: '(the SQLite file\'s directory; with PostgreSQL <per-user data dir>/postgres/<db>-<hash>)', help: 'where this process keeps the token vault, the policy file, the audit anchor and (SQLite) large evidence blobs' },
  { key: 'agentLeaseSeconds', flag: 'agent-lease-seconds', env: 'FLEETDECK_AGENT_LEASE_SECONDS', default: '300', help: 'an agent is stale when its last sign of life is older than this' },
  { key: 'sweepSeconds', flag: 'sweep-seconds', env: 'FLEETDECK_SWEEP_SECONDS', default: '5', help: 'how often this process sweeps expired leases, TTLs and stale agents' },
  { key: 'workspace', flag: 'workspace', env: 'FLEETDECK_WORKSPACE', default: '(the repository of the current directory: its origin URL, else its git common dir, else the directory; .fleetdeck.json can name it)', help: 'default workspace for claims (a name, or a directory standing for its repository; docs/claims.md)' },
  { key: 'logLevel', flag: 'log-level', env: 'FLEETDECK_LOG_LEVEL', default: 'info', help: 'pino log level (logs go to stderr)' },
  { key: 'synchronous', flag: 'synchronous', env: 'FLEETDECK_SYNCHRONOUS', default: 'FULL', help: 'SQLite synchronous pragma for state changes: FULL (acknowledged changes survive power loss; signs of life are flushed within 1 s) or NORMAL' },
  { key: 'policy', flag: 'policy', env: 'FLEETDECK_POLICY', default: '(data dir)/policy.json', help: 'operator policy file (JSON, docs/policy.md): approvals for scopes and run types, leased-run limits; re-read when it changes' },
  { key: 'retainDays', flag: 'retain-days', env: 'FLEETDECK_RETAIN_DAYS', default: '30', help: 'days finished runs (with their evidence, handoffs, blockers and claims) and revoked tokens stay in the live database; 0 keeps them forever (docs/retention.md)' },
  { key: 'retainEventsDays', flag: 'retain-events-days', env: 'FLEETDECK_RETAIN_EVENTS_DAYS', default: '90', help: 'days audit events stay in the live log before they move to archive segments (still verified by audit verify); 0 keeps them live forever' },
  { key: 'retainSignalsDays', flag: 'retain-signals-days', env: 'FLEETDECK_RETAIN_SIGNALS_DAYS', default: '7', help: 'days acknowledged signals are kept; 0 keeps them forever' },
  { key: 'pollMs', flag: 'poll-ms', env: 'FLEETDECK_POLL_MS', default: '200', help: 'how often this process looks for events written by other processes (notifications, long polls)' },
] as const;

export type SettingKey = (typeof SETTINGS)[number]['key'];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface Config {
  db: string;
  dataDir: string;
  agentLeaseSeconds: number;
  sweepSeconds: number;
  /** the workspace identity claims are keyed by (services/workspace-identity.ts) */
  workspace: string;
  /** the worktree top-level of the current directory: claim paths and evidence paths are relative to it */
  worktree: string;
  logLevel: (typeof LOG_LEVELS)[number];
  synchronous: 'FULL' | 'NORMAL';
  pollMs: number;
  policy: string;
  retainDays: number;
  retainEventsDays: number;
  retainSignalsDays: number;
}

type Issue = { path: string[]; message: string };
type Check = (value: unknown) => { value: unknown } | { message: string };

const text: Check = (v) => (typeof v === 'string' && v.length > 0 ? { value: v } : { message: 'must be a non-empty string' });
const oneOf =
  (values: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? { value: v } : { message: `must be one of ${values.join(', ')}` };
const number =
  (min: number, max: number, integer: boolean): Check =>
  (v) => {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return { message: `must be ${integer ? 'an integer' : 'a number'}` };
    return n < min || n > max ? { message: `must be between ${min} and ${max}` } : { value: n };
  };

/**
 * The settings' rules. Checked by hand rather than with zod: every CLI start, and above all each
 * Claude Code hook (which runs on every tool call), would otherwise pay for loading zod (tens of
 * milliseconds, docs/decisions.md) just to check nine settings.
 */
const CHECKS: Record<keyof Config, Check> = {
  db: text,
  dataDir: text,
  agentLeaseSeconds: number(1, 86_400, true),
  sweepSeconds: number(0.05, 3_600, false),
  workspace: text,
  worktree: text,
  logLevel: oneOf(LOG_LEVELS),
  synchronous: oneOf(['FULL', 'NORMAL']),
  pollMs: number(10, 10_000, true),
  policy: text,
  retainDays: number(0, 36_500, false),
  retainEventsDays: number(0, 36_500, false),
  retainSignalsDays: number(0, 36_500, false),
};

const ConfigSchema = {
  safeParse(raw: Record<keyof Config, unknown>): { success: true; data: Config } | { success: false; error: { issues: Issue[] } } {
    const data: Record<string, unknown> = {};
    const issues: Issue[] = [];
    for (const [key, check] of Object.entries(CHECKS)) {
      const result = check(raw[key as keyof Config]);
      if ('message' in result) issues.push({ path: [key], message: result.message });
      else data[key] = result.value;
    }
    return issues.length > 0 ? { success: false, error: { issues } } : { success: true, data: data as unknown as Config };
  },
};

/** The per-user data directory (XDG): agents in different worktrees share one fleet. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.local', 'share'), 'fleetdeck');
}

/**
 * With PostgreSQL there is no database file to keep the data directory beside: each database gets
 * its own folder in the per-user data dir (its token vault, policy file and audit anchor must not
 * mix with the embedded fleet's or another database's), named after the database and a hash of
 * the URL without its password.
 */
export function postgresDataDir(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = (new URL(url).pathname.slice(1) || 'postgres').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
  const hash = createHash('sha256').update(redactUrl(url)).digest('hex').slice(0, 10);
  return join(defaultDataDir(env), 'postgres', `${name}-${hash}`);
}

/** The workspace of `dir` (default: the current directory); see services/workspace-identity.ts. */
export function defaultWorkspace(dir: string = process.cwd()): string {
  return workspaceOf(dir).workspace;
}

/**
 * A --workspace / FLEETDECK_WORKSPACE value: a path (absolute, or starting with `.` or `~`) stands
 * for the repository of that directory; anything else is a name, kept as written.
 */
export function workspaceSetting(value: string): string {
  const dir = workspaceDirectory(value);
  return dir === null ? value.trim() : canonicalWorkspace(dir);
}

/** The directory a workspace setting names, or null when it is a name. */
function workspaceDirectory(value: string): string | null {
  const v = value.trim();
  if (isAbsolute(v) || v === '.' || v === '..' || v.startsWith('./') || v.startsWith('../')) return resolve(v);
  if (v === '~' || v.startsWith('~/')) return join(homedir(), v.slice(1));
  return null;
}

export function loadConfig(flags: Partial<Record<SettingKey, string | undefined>>, env: NodeJS.ProcessEnv = process.env): Config {
  const pick = (key: SettingKey): string | undefined => {
    const setting = SETTINGS.find((s) => s.key === key)!;
    return flags[key] ?? env[setting.env] ?? undefined;
  };
  const given = pick('db');
  const db = given ? (isPostgresUrl(given) ? given : resolve(given)) : join(defaultDataDir(env), 'fleet.db');
  // With PostgreSQL the data directory holds only this user's token vault, policy file and audit anchor.
  const dataDir = pick('dataDir') ? resolve(pick('dataDir')!) : isPostgresUrl(db) ? postgresDataDir(db, env) : dirname(db);
  const parsed = ConfigSchema.safeParse({
    db,
    dataDir,
    agentLeaseSeconds: pick('agentLeaseSeconds') ?? 300,
    sweepSeconds: pick('sweepSeconds') ?? 5,
    workspace: pick('workspace') ? workspaceSetting(pick('workspace')!) : '(repository)',
    worktree: '(worktree)',
    logLevel: pick('logLevel') ?? 'info',
    synchronous: (pick('synchronous') ?? 'FULL').toUpperCase(),
    pollMs: pick('pollMs') ?? 200,
    policy: pick('policy') ? resolve(pick('policy')!) : join(dataDir, 'policy.json'),
    retainDays: pick('retainDays') ?? 30,
    retainEventsDays: pick('retainEventsDays') ?? 90,
    retainSignalsDays: pick('retainSignalsDays') ?? 7,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid settings: ${problems}`);
  }
  const givenWorkspace = pick('workspace');
  lazyWorkspace(parsed.data, givenWorkspace === undefined, (givenWorkspace !== undefined ? workspaceDirectory(givenWorkspace) : null) ?? process.cwd());
  return parsed.data;
}

/** Points a configuration at a workspace found elsewhere (a hook's cwd, a session's project dir). */
export function useWorkspace(config: Config, info: WorkspaceInfo, explicit: boolean): Config {
  Object.defineProperty(config, 'worktree', { enumerable: true, configurable: true, value: info.root });
  if (!explicit) Object.defineProperty(config, 'workspace', { enumerable: true, configurable: true, value: info.workspace });
  return config;
}

/**
 * Finding the repository reads a few files; most server starts never need it (only claims and
 * evidence paths do), so it is resolved the first time it is read, then kept.
 */
function lazyWorkspace(config: Config, workspaceToo: boolean, dir: string): void {
  let info: WorkspaceInfo | undefined;
  const found = () => (info ??= workspaceOf(dir));
  Object.defineProperty(config, 'worktree', { enumerable: true, configurable: true, get: () => found().root });
  if (workspaceToo) Object.defineProperty(config, 'workspace', { enumerable: true, configurable: true, get: () => found().workspace });
}
