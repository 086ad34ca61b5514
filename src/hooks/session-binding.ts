/**
 * Where the hooks and the MCP server of one coding-assistant session meet: a small user-only file
 * per session in the data directory, `sessions/<key>.json`, naming the session's agent. The key is
 * a hash of the database, the workspace (git top-level) and the session's anchor process (see
 * process-anchor.ts). Whichever process of the session comes first (the MCP server or a hook)
 * registers the agent and writes the file; the others read it. A lock file taken with O_EXCL makes
 * two simultaneous first comers agree on one agent.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FleetError } from '../domain/errors.js';
import { anchorAlive, type ProcessAnchor } from './process-anchor.js';

export interface SessionBinding {
  agent_id: string;
  workspace: string;
  anchor: ProcessAnchor | null;
  /** which kind of process registered the agent */
  created_by: 'hook' | 'serve';
  created_at: string;
  /** the assistant's own session id, when a hook saw one (for people reading the file) */
  claude_session_id?: string;
}

export interface BindingKey {
  db: string;
  workspace: string;
  anchor: ProcessAnchor | null;
}

/** A creator that died holding the lock is presumed gone after this long. */
const LOCK_STALE_MS = 10_000;
const WAIT_MS = 8_000;

export function bindingDir(dataDir: string): string {
  return join(dataDir, 'sessions');
}

export function bindingKey(key: BindingKey): string {
  const anchor = key.anchor ? `${key.anchor.pid}:${key.anchor.start}` : 'no-anchor';
  return createHash('sha256').update(`${key.db}\0${key.workspace}\0${anchor}`).digest('hex').slice(0, 32);
}

export function readBinding(file: string): SessionBinding | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<SessionBinding>;
    return typeof parsed.agent_id === 'string' && /^agt_[0-9a-z]+$/.test(parsed.agent_id) ? (parsed as SessionBinding) : null;
  } catch {
    return null;
  }
}

function writeBinding(dir: string, file: string, binding: SessionBinding): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(binding, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  chmodSync(dir, 0o700);
}

function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export interface FindOrCreate {
  dataDir: string;
  key: BindingKey;
  /** whether the bound agent still exists (and this OS user holds its token) */
  usable(agentId: string): Promise<boolean>;
  /** registers the agent when no usable binding exists; returns its id */
  create(): Promise<string>;
  createdBy: SessionBinding['created_by'];
  claudeSessionId?: string | null;
}

/** The session's agent id: the bound one, or a new one registered by `create` under the lock. */
export async function findOrCreateBinding(options: FindOrCreate): Promise<{ agentId: string; created: boolean }> {
  const dir = bindingDir(options.dataDir);
  const file = join(dir, `${bindingKey(options.key)}.json`);
  const existing = readBinding(file);
  if (existing && (await options.usable(existing.agent_id))) return { agentId: existing.agent_id, created: false };
  ensureDir(dir);
  const lock = `${file}.lock`;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (tryLock(lock)) break;
    // someone else is creating it: wait for their file, or take over a lock they abandoned
    await sleep(20);
    const theirs = readBinding(file);
    if (theirs && theirs.agent_id !== existing?.agent_id && (await options.usable(theirs.agent_id))) {
      return { agentId: theirs.agent_id, created: false };
    }
    if (lockAge(lock) > LOCK_STALE_MS) rmSync(lock, { force: true });
    if (Date.now() > deadline) throw new FleetError('BUSY', `timed out waiting for ${lock}`, 'remove the lock file if no fleetdeck process is starting');
  }
  try {
    // another process may have finished between our read and our lock
    const again = readBinding(file);
    if (again && again.agent_id !== existing?.agent_id && (await options.usable(again.agent_id))) return { agentId: again.agent_id, created: false };
    const agentId = await options.create();
    writeBinding(dir, file, {
      agent_id: agentId,
      workspace: options.key.workspace,
      anchor: options.key.anchor,
      created_by: options.createdBy,
      created_at: new Date().toISOString(),
      ...(options.claudeSessionId ? { claude_session_id: options.claudeSessionId } : {}),
    });
    pruneDeadBindings(dir, file);
    return { agentId, created: true };
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Looks up the session's agent without creating one. */
export function lookupBinding(dataDir: string, key: BindingKey): SessionBinding | null {
  return readBinding(join(bindingDir(dataDir), `${bindingKey(key)}.json`));
}

function tryLock(lock: string): boolean {
  try {
    closeSync(openSync(lock, 'wx', 0o600));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function lockAge(lock: string): number {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 0;
  }
}

/** Removes the files of sessions whose process is gone (they can never match again). */
function pruneDeadBindings(dir: string, keep: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names.slice(0, 500)) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    if (file === keep) continue;
    const binding = readBinding(file);
    if (binding?.anchor && !anchorAlive(binding.anchor)) rmSync(file, { force: true });
  }
}
