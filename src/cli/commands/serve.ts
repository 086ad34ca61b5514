import { SETTINGS, useWorkspace } from '../../config.js';
import { FleetError } from '../../domain/errors.js';
import { openApp, type App } from '../../main.js';
import { serveStdio } from '../../transports/stdio.js';
import { TOOL_PROFILES, type ToolProfile } from '../../mcp/tools/index.js';
import { HTTP_OPTIONS, HTTP_USAGE, serveHttp } from './serve-http.js';
import { configFrom, flag, str, type Command, type ParsedArgs } from '../command.js';
import { ensureFleetDirectory, requireExistingFleet } from '../fleet-file.js';
import { userInfo } from 'node:os';

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'serve the MCP server over stdio (agent toolset; --operator for the operator toolset), or over HTTP (--http)',
  usage: [
    'fleetdeck serve [--operator] [--agent NAME --role ROLE] [--tools full|core] [settings]',
    'fleetdeck serve --http HOST:PORT [HTTP settings] [settings]',
    '',
    'Options:',
    '  --operator            bind this process to the operator identity and serve the operator toolset',
    '  --agent NAME          register (or resume) this agent at start; needs --role',
    '  --role ROLE           the role for --agent',
    '  --tools full|core     full (default): every tool of the toolset; core: the tools a worker needs',
    '                        (take, claim, report, hand off, finish), for a smaller tools/list',
    '  --session             act as this coding-assistant session\'s agent, shared with its hooks',
    '                        (docs/claude-code.md): found or registered at its first tool call; --agent/--role name a new one;',
    '                        FLEETDECK_AGENT_ID names an existing one',
    '',
    'Settings (flag, then environment, then default):',
    ...SETTINGS.map((s) => `  --${s.flag.padEnd(22)} ${s.env.padEnd(32)} ${s.help} (default ${s.default})`),
    ...HTTP_USAGE,
  ].join('\n'),
  options: { operator: { type: 'boolean' }, agent: { type: 'string' }, role: { type: 'string' }, tools: { type: 'string' }, session: { type: 'boolean' }, ...HTTP_OPTIONS },
  async run(args) {
    const config = configFrom(args);
    const session = flag(args, 'session');
    // a session's server starts only the default fleet; a named database must exist (a typo would
    // otherwise give the session an empty fleet of its own, and its hooks nothing to check)
    if (session && (str(args, 'db') !== undefined || process.env.FLEETDECK_DB)) requireExistingFleet(config.db);
    ensureFleetDirectory(config.db);
    if (str(args, 'http') !== undefined) return serveHttp(args, config);
    const agentName = str(args, 'agent');
    const role = str(args, 'role');
    if (session && flag(args, 'operator')) throw new FleetError('INVALID_INPUT', '--session and --operator exclude each other');
    if (session) return serveSession(args, agentName, role);
    if (agentName && !role) throw new FleetError('INVALID_INPUT', '--agent needs --role', 'e.g. fleetdeck serve --agent alice --role implementer');
    if (agentName && flag(args, 'operator')) throw new FleetError('INVALID_INPUT', '--agent and --operator exclude each other');
    const profile = str(args, 'tools') ?? 'full';
    if (!isProfile(profile)) throw new FleetError('INVALID_INPUT', `--tools ${profile} is not a profile`, `use one of: ${TOOL_PROFILES.join(', ')}`);
    const app = await openApp(config, { sweep: true });
    await adoptWorkspaces(app);
    await serveStdio(app, {
      toolset: flag(args, 'operator') ? 'operator' : 'agent',
      profile,
      operatorName: userInfo().username,
      agent: agentName && role ? { name: agentName, role } : undefined,
    });
    return new Promise<number>(() => {}); // runs until stdin closes (serveStdio exits the process)
  },
};

/** Claims keyed by a directory path (before workspaces were repositories) move to their repository. */
async function adoptWorkspaces(app: App): Promise<void> {
  try {
    const { adoptRepositoryWorkspaces } = await import('../../services/claims/adopt-repositories.js');
    for (const m of await adoptRepositoryWorkspaces(app.deps)) app.deps.logger.info(m, 'moved claims of a directory workspace to its repository');
  } catch (error) {
    app.deps.logger.warn({ err: error }, 'could not move claims of directory workspaces to their repositories (will try at the next start)');
  }
}

const isProfile = (value: string): value is ToolProfile => (TOOL_PROFILES as readonly string[]).includes(value);

/**
 * `serve --session`: act as the session's agent, the one its hooks act as. The agent is found or
 * registered on the first tool call, not at connect: a client that connects, lists tools and
 * leaves (`claude mcp list`, a health check) leaves no agent behind.
 */
async function serveSession(args: ParsedArgs, name: string | undefined, role: string | undefined): Promise<number> {
  const { resolveSessionAgent } = await import('../../hooks/identity.js');
  const { workspaceOf } = await import('../../services/workspace-identity.js');
  const explicit = str(args, 'workspace') ?? (process.env.FLEETDECK_WORKSPACE || undefined);
  const place = workspaceOf(process.env.CLAUDE_PROJECT_DIR || process.cwd(), explicit);
  const config = useWorkspace(configFrom(args), place, explicit !== undefined);
  const app = await openApp(config, { sweep: true });
  if (place.warning) app.deps.logger.warn(place.warning);
  await adoptWorkspaces(app);
  const bind = async () => {
    const identity = await resolveSessionAgent(app.deps, {
      db: config.db,
      workspace: config.workspace,
      root: place.root,
      branch: place.branch,
      explicitAgentId: process.env.FLEETDECK_AGENT_ID || undefined,
      name: name ?? (process.env.FLEETDECK_AGENT_NAME || undefined),
      role: role ?? (process.env.FLEETDECK_ROLE || undefined),
      createdBy: 'serve',
    });
    app.deps.logger.info({ agent: identity.agentId, created: identity.created, via: identity.via }, 'bound to the session agent');
    return identity.agentId;
  };
  await serveStdio(app, { toolset: 'agent', bindOnFirstCall: bind });
  return new Promise<number>(() => {});
}
