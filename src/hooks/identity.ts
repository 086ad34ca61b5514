/**
 * One identity per coding-assistant session. The hooks and the MCP server (`serve --session`) of a
 * session act as the same agent without the model ever handling a token:
 *  1. FLEETDECK_AGENT_ID names the agent explicitly (its token must be in this user's vault);
 *  2. otherwise the session's binding file (session-binding.ts), keyed by the database, the
 *     workspace and the session's anchor process, names it; the first process of the session
 *     registers the agent (name and role from FLEETDECK_AGENT_NAME / FLEETDECK_ROLE or flags).
 * What this protects against is written in docs/claude-code.md.
 */
import { basename } from 'node:path';
import { FleetError } from '../domain/errors.js';
import { getAgent, registerAgent } from '../services/agents.js';
import type { Deps } from '../services/deps.js';
import { sessionAnchor, type ProcessAnchor } from './process-anchor.js';
import { findOrCreateBinding } from './session-binding.js';

export const DEFAULT_SESSION_ROLE = 'implementer';
/** the role rule of register_agent (mcp/schemas.ts) */
const SESSION_ROLE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export interface SessionIdentityInput {
  db: string;
  /** the session's workspace (its repository's identity) */
  workspace: string;
  /** the session's worktree top-level: the agent's workspace root, and what the binding is keyed by */
  root: string;
  /** the branch checked out there, for the default name */
  branch: string | null;
  /** FLEETDECK_AGENT_ID, when set */
  explicitAgentId?: string;
  name?: string;
  role?: string;
  createdBy: 'hook' | 'serve';
  claudeSessionId?: string | null;
  /** for tests and callers that already know it; default: found from this process's ancestry */
  anchor?: ProcessAnchor | null;
}

export interface SessionIdentity {
  agentId: string;
  /** registered by this call */
  created: boolean;
  /** how it was found */
  via: 'env' | 'session';
}

/**
 * `claude@api/feat-a`: the repository's short name and where the session works in it (the branch,
 * else the worktree's directory name). uniqueAgentName adds `#2`, `#3` for further sessions there.
 */
export function defaultSessionName(workspace: string, root: string, branch: string | null): string {
  const clean = (s: string, max: number) => s.replace(/[^A-Za-z0-9_./-]/g, '-').replace(/^[./-]+/, '').slice(0, max);
  const identity = workspace.replace(/\/+$/, '');
  const last = basename(identity);
  const repo = clean(last === '.git' ? basename(identity.slice(0, -'/.git'.length)) : last.replace(/\.git$/i, ''), 40) || 'workspace';
  const place = clean(branch ?? basename(root), 60);
  return place && place !== repo ? `claude@${repo}/${place}` : `claude@${repo}`;
}

/** Whether an agent exists and this OS user holds its token (so it may act as it). */
async function usable(deps: Deps, agentId: string): Promise<boolean> {
  if (deps.tokens.load(agentId) === null) return false;
  try {
    await getAgent(deps, agentId);
    return true;
  } catch (error) {
    if (error instanceof FleetError && error.code === 'NOT_FOUND') return false;
    throw error;
  }
}

export async function resolveSessionAgent(deps: Deps, input: SessionIdentityInput): Promise<SessionIdentity> {
  if (input.explicitAgentId) {
    const agentId = input.explicitAgentId;
    if (!/^agt_[0-9a-z]+$/.test(agentId)) throw new FleetError('INVALID_INPUT', `FLEETDECK_AGENT_ID is not an agent id: ${agentId}`, 'unset it, or set it to an agt_… id');
    if (!(await usable(deps, agentId))) {
      throw new FleetError('FORBIDDEN', `FLEETDECK_AGENT_ID ${agentId} is unknown to this fleet, or this OS user does not hold its token`, 'unset FLEETDECK_AGENT_ID to let the session register its own agent');
    }
    return { agentId, created: false, via: 'env' };
  }
  if (input.role !== undefined && !SESSION_ROLE.test(input.role)) {
    throw new FleetError('INVALID_INPUT', `invalid role: ${input.role}`, 'letters, digits, . _ : - (e.g. implementer); set FLEETDECK_ROLE or --role');
  }
  const anchor = input.anchor === undefined ? sessionAnchor() : input.anchor;
  const { agentId, created } = await findOrCreateBinding({
    dataDir: deps.settings.dataDir,
    key: { db: input.db, workspace: input.root, anchor },
    usable: (id) => usable(deps, id),
    create: async () => {
      const registration = await registerAgent(deps, {
        name: input.name ?? defaultSessionName(input.workspace, input.root, input.branch),
        uniqueName: input.name === undefined,
        role: input.role ?? DEFAULT_SESSION_ROLE,
        workspace: input.root,
        capabilities: ['claude-code-session'],
      });
      return registration.agent.id;
    },
    createdBy: input.createdBy,
    claudeSessionId: input.claudeSessionId,
  });
  return { agentId, created, via: 'session' };
}
