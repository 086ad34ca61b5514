import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FleetError } from '../../domain/errors.js';
import { EMPTY_POLICY, parsePolicy, type Policy } from '../../domain/policy.js';
import type { Deps, ServiceSettings } from '../deps.js';
import { canonicalWorkspace } from '../workspace-identity.js';

/** How often a process looks at the policy file's mtime (clock time). */
export const POLICY_CHECK_INTERVAL_MS = 1_000;
/** A policy file is a few rules; refuse to parse anything larger. */
export const POLICY_MAX_BYTES = 256 * 1024;

export type PolicyStatus =
  | { state: 'absent'; path: string; policy: Policy }
  | { state: 'ok'; path: string; policy: Policy; mtimeMs: number }
  | { state: 'invalid'; path: string; problems: string[]; mtimeMs: number };

interface Cache {
  checkedAt: number;
  key: string;
  status: PolicyStatus;
}

const caches = new WeakMap<ServiceSettings, Cache>();

export function policyPath(settings: ServiceSettings): string {
  return settings.policyFile ?? join(settings.dataDir, 'policy.json');
}

/** Reads and validates a policy file (for `fleetdeck policy check`, and the cache below). */
export function readPolicyFile(path: string): PolicyStatus {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent', path, policy: EMPTY_POLICY };
    return { state: 'invalid', path, problems: [`cannot read: ${(error as Error).message}`], mtimeMs: 0 };
  }
  if (!stat.isFile()) return { state: 'invalid', path, problems: ['not a regular file'], mtimeMs: stat.mtimeMs };
  if (stat.size > POLICY_MAX_BYTES) return { state: 'invalid', path, problems: [`larger than ${POLICY_MAX_BYTES} bytes`], mtimeMs: stat.mtimeMs };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { state: 'invalid', path, problems: [`cannot read: ${(error as Error).message}`], mtimeMs: stat.mtimeMs };
  }
  const parsed = parsePolicy(text);
  if (!parsed.ok) return { state: 'invalid', path, problems: parsed.problems, mtimeMs: stat.mtimeMs };
  return { state: 'ok', path, policy: inRepositoryTerms(parsed.policy), mtimeMs: stat.mtimeMs };
}

/**
 * A rule's `workspace` in the terms claims are keyed by: a folder path (how policy files named
 * workspaces before workspaces were repositories) stands for its repository, as a claim's does, so
 * a rule written for one checkout governs every worktree and clone of it.
 */
function inRepositoryTerms(policy: Policy): Policy {
  const claims_need_approval = policy.claims_need_approval.map((rule) => (rule.workspace === undefined ? rule : { ...rule, workspace: canonicalWorkspace(rule.workspace) }));
  return { ...policy, claims_need_approval };
}

/**
 * The policy in force, re-read when the file's mtime or size changes (looked at no more than once
 * per second per process). Never called inside a transaction: it reads a file.
 */
export function policyStatus(deps: Deps): PolicyStatus {
  const path = policyPath(deps.settings);
  const now = deps.clock.now();
  const cached = caches.get(deps.settings);
  if (cached && now - cached.checkedAt < POLICY_CHECK_INTERVAL_MS && now >= cached.checkedAt) return cached.status;
  let key: string;
  try {
    const s = statSync(path);
    key = `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    key = 'absent';
  }
  if (cached && cached.key === key) {
    cached.checkedAt = now;
    return cached.status;
  }
  const status = readPolicyFile(path);
  if (status.state === 'invalid') deps.logger.error({ path, problems: status.problems }, 'policy file is invalid; governed actions are refused until it is fixed');
  else if (status.state === 'ok') deps.logger.info({ path }, 'policy loaded');
  caches.set(deps.settings, { checkedAt: now, key, status });
  return status;
}

/**
 * The rules to apply. An invalid file fails closed: the actions it governs (claims, takes, starts,
 * accepts, completed results) are refused with INVALID_STATE until the operator fixes it, rather
 * than silently running without the approvals the operator asked for.
 */
export function currentPolicy(deps: Deps): Policy {
  const status = policyStatus(deps);
  if (status.state === 'invalid') {
    throw new FleetError('INVALID_STATE', `the fleet policy file ${status.path} is invalid: ${status.problems.slice(0, 3).join('; ')}`, 'ask the operator to fix it (fleetdeck policy check shows the problems)', {
      policy_file: status.path,
      problems: status.problems.slice(0, 10),
    });
  }
  return status.policy;
}
