import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { FleetError } from '../../domain/errors.js';
import { describeLocation, type WorkLocation } from '../../domain/workspace.js';
import { sessionAnchor } from '../../hooks/process-anchor.js';
import { lookupBinding } from '../../hooks/session-binding.js';
import { guardViolations, type GuardViolation } from '../../services/claims/guard.js';
import { locationOf, workspaceOf } from '../../services/workspace-identity.js';
import { configFrom, flag, str, withApp, type Command, type ParsedArgs } from '../command.js';
import { fleetExists } from '../fleet-file.js';
import { printError, printJson, printLine } from '../output.js';

const MARKER = '# fleetdeck-guard';
const CHAINED = 'pre-commit.before-fleetdeck';

export const guardCommand: Command = {
  path: ['guard'],
  summary: 'git pre-commit check: refuse commits touching paths another live agent claimed exclusively',
  usage: [
    'fleetdeck guard [--warn] [--agent AGENT_ID] [--db PATH] [--json]',
    'fleetdeck guard --install [--chain] [--warn] [--db PATH]',
    '',
    'Checks the staged paths (git diff --cached) of the repository around the current directory',
    'against the active exclusive path claims of its workspace: the repository, so claims made in any',
    'worktree or clone of it count (docs/claims.md). A path inside',
    "another live agent's exclusive claim refuses the commit (exit 1) and names the holder and claim.",
    '',
    'Options:',
    '  --agent AGENT_ID  your own agent id (or FLEETDECK_AGENT_ID): your claims never block you',
    '  --warn            print what would be refused, but exit 0',
    '  --install         write .git/hooks/pre-commit running this check (refuses to replace another hook)',
    '  --chain           with --install: keep an existing hook as pre-commit.before-fleetdeck and run it first',
    '  --json            print the report as JSON',
    '',
    'Bypass once: FLEETDECK_GUARD_BYPASS=1 git commit …',
  ].join('\n'),
  options: { agent: { type: 'string' }, warn: { type: 'boolean' }, install: { type: 'boolean' }, chain: { type: 'boolean' } },
  async run(args) {
    if (flag(args, 'install')) return install(args);
    if (process.env.FLEETDECK_GUARD_BYPASS === '1') {
      printError('fleetdeck guard: bypassed (FLEETDECK_GUARD_BYPASS=1); claims were not checked');
      if (flag(args, 'json')) printJson({ ok: true, bypassed: true, violations: [] });
      return 0;
    }
    // the workspace is the repository (every worktree and clone of it), paths are relative to this worktree
    const root = gitTopLevel();
    const place = workspaceOf(root, str(args, 'workspace') ?? (process.env.FLEETDECK_WORKSPACE || undefined));
    const workspace = place.workspace;
    const staged = stagedPaths(root);
    const config = configFrom(args);
    const agentId = str(args, 'agent') ?? (process.env.FLEETDECK_AGENT_ID || undefined) ?? sessionAgent(config.db, config.dataDir, root);
    // no fleet database yet: nobody has claimed anything, so nothing can be violated
    const noFleet = !fleetExists(config.db);
    const violations = staged.length === 0 || noFleet ? [] : await withApp(args, (app) => guardViolations(app.deps, { workspace, paths: staged, agentId }));
    const here = locationOf(root);
    const warn = flag(args, 'warn');
    if (flag(args, 'json')) {
      printJson({ ok: violations.length === 0, warn, workspace, worktree: root, staged: staged.length, agent_id: agentId ?? null, violations: violations.map(violationOut) });
    }
    if (violations.length === 0) return 0;
    printError(report(violations, warn, agentId, here));
    return warn ? 0 : 1;
  },
};

function violationOut(v: GuardViolation) {
  return {
    path: v.path,
    claim_id: v.claim.id,
    pattern: v.claim.pattern,
    holder: { agent_id: v.holder.agentId, name: v.holder.name, liveness: v.holder.liveness, last_seen_at: new Date(v.holder.lastSeenAt).toISOString() },
    since: new Date(v.claim.createdAt).toISOString(),
    expires_at: new Date(v.claim.expiresAt).toISOString(),
    run_id: v.claim.runId,
    reason: v.claim.reason,
    location: v.claim.location,
  };
}

function report(violations: GuardViolation[], warn: boolean, agentId: string | undefined, here: WorkLocation): string {
  const paths = new Set(violations.map((v) => v.path));
  const lines = [
    `fleetdeck guard: ${warn ? 'warning: this commit touches' : 'commit refused:'} ${paths.size} staged path(s) claimed exclusively by another live agent`,
  ];
  for (const v of violations.slice(0, 20)) {
    const o = violationOut(v);
    lines.push(
      `  ${o.path}: claim ${o.claim_id} (${o.pattern}) held by ${o.holder.name}${where(v.claim.location, here)} (${o.holder.agent_id}, ${o.holder.liveness}, last seen ${o.holder.last_seen_at}) since ${o.since}, expires ${o.expires_at}${o.run_id ? `, run ${o.run_id}` : ''}${o.reason ? `, reason: ${o.reason}` : ''}`,
    );
  }
  if (violations.length > 20) lines.push(`  … and ${violations.length - 20} more`);
  if (!warn) {
    lines.push('Ask the holder to release, unstage those paths, or bypass once with FLEETDECK_GUARD_BYPASS=1.');
    if (!agentId) lines.push('If one of these claims is yours, pass --agent AGENT_ID or set FLEETDECK_AGENT_ID.');
  }
  return lines.join('\n');
}

function where(at: WorkLocation, here: WorkLocation): string {
  const text = describeLocation(at, here);
  return text ? ` ${text}` : '';
}

/**
 * Inside a Claude Code session (a commit from its Bash tool), the session's own agent: its claims
 * must not block its own commit. Found the way its hooks find it, without registering anything.
 */
function sessionAgent(db: string, dataDir: string, root: string): string | undefined {
  return lookupBinding(dataDir, { db, workspace: root, anchor: sessionAnchor() })?.agent_id;
}

function git(args: string[], cwd = process.cwd()): string {
  try {
    return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 }).toString();
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new FleetError('INVALID_STATE', `git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, 'run fleetdeck guard inside a git working tree');
  }
}

function gitTopLevel(): string {
  return git(['rev-parse', '--show-toplevel']).trim();
}

/** Staged paths relative to the top-level; renames count as both paths (moving a claimed file touches it). */
function stagedPaths(topLevel: string): string[] {
  return git(['diff', '--cached', '--name-only', '--no-renames', '-z'], topLevel)
    .split('\0')
    .filter((p) => p.length > 0);
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Writes the pre-commit hook. An existing hook of ours is replaced; anyone else's is kept: refused
 * by default, or with --chain moved to pre-commit.before-fleetdeck and run before the guard.
 */
function install(args: ParsedArgs): number {
  const hooksRel = git(['rev-parse', '--git-path', 'hooks']).trim();
  const hooksDir = isAbsolute(hooksRel) ? hooksRel : resolve(process.cwd(), hooksRel);
  mkdirSync(hooksDir, { recursive: true });
  const hook = join(hooksDir, 'pre-commit');
  if (existsSync(hook) && !readFileSync(hook, 'utf8').includes(MARKER)) {
    if (!flag(args, 'chain')) {
      throw new FleetError('INVALID_STATE', `${hook} already exists and is not fleetdeck's`, `rerun with --chain to keep it as ${CHAINED} and run it before the guard, or merge by hand`);
    }
    const chained = join(hooksDir, CHAINED);
    if (existsSync(chained)) throw new FleetError('INVALID_STATE', `${chained} already exists`, 'merge the hooks by hand');
    renameSync(hook, chained);
  }
  const config = configFrom(args);
  const dbGiven = str(args, 'db') !== undefined || process.env.FLEETDECK_DB !== undefined;
  const command = [process.execPath, resolve(process.argv[1] ?? 'fleetdeck'), 'guard', ...(dbGiven ? ['--db', config.db] : []), ...(flag(args, 'warn') ? ['--warn'] : [])];
  const script = [
    '#!/bin/sh',
    `${MARKER}: installed by \`fleetdeck guard --install\`.`,
    '# Refuses a commit that touches paths another live agent claimed exclusively in this workspace.',
    '# Your own claims: export FLEETDECK_AGENT_ID=agt_...   Bypass once: FLEETDECK_GUARD_BYPASS=1 git commit ...',
    `chained="$(dirname "$0")/${CHAINED}"`,
    'if [ -x "$chained" ]; then "$chained" "$@" || exit $?; fi',
    `exec ${command.map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
  writeFileSync(hook, script, { mode: 0o755 });
  chmodSync(hook, 0o755);
  if (flag(args, 'json')) printJson({ installed: hook, chained: existsSync(join(hooksDir, CHAINED)) });
  else printLine(`installed ${hook}${existsSync(join(hooksDir, CHAINED)) ? ` (runs ${CHAINED} first)` : ''}`);
  return 0;
}
