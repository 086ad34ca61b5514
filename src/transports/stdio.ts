import type { App } from '../main.js';
import { createServer } from '../mcp/server.js';
import { Session } from '../mcp/session.js';
import type { Toolset } from '../mcp/tool.js';
import type { ToolProfile } from '../mcp/tools/index.js';
import { registerOrResumeByName } from '../services/agents.js';
import { VERSION } from '../version.js';
import { redactUrl } from '../store/open-store.js';
import { GuardedStdioServerTransport } from './stdio/guarded-transport.js';

export interface StdioOptions {
  toolset: Toolset;
  profile?: ToolProfile;
  operatorName?: string;
  agent?: { name: string; role: string };
  /** an agent id already resolved by the caller: bind to it */
  agentId?: string;
  /** `serve --session`: find or register the agent on the first tool call (mcp/session.ts) */
  bindOnFirstCall?: () => Promise<string>;
}

/**
 * Serves one identity over stdin/stdout until the client closes stdin. The transport does not exit
 * on its own when stdin ends (timers keep the process alive), so we listen for it. An oversized
 * message is refused by the transport and never closes it (stdio/guarded-transport.ts).
 */
export async function serveStdio(app: App, options: StdioOptions): Promise<void> {
  const session = new Session();
  if (options.toolset === 'operator') session.bindOperator(options.operatorName ?? 'operator');
  if (options.agentId) session.bindAgent(options.agentId);
  else if (options.bindOnFirstCall) session.bindOnFirstCall(options.bindOnFirstCall);
  else if (options.agent) {
    const registration = await registerOrResumeByName(app.deps, options.agent.name, options.agent.role);
    session.bindAgent(registration.agent.id);
    app.deps.logger.info({ agent: registration.agent.id, resumed: registration.resumed }, 'bound to agent at start');
  }
  const server = createServer({ deps: app.deps, feed: app.feed, session, toolset: options.toolset, profile: options.profile, version: VERSION });
  const transport = new GuardedStdioServerTransport();
  transport.onoversized = (m) => app.deps.logger.warn(m, 'refused an oversized message; the connection stays open');
  let closing = false;
  const shutdown = (reason: string) => {
    if (closing) return;
    closing = true;
    app.deps.logger.info({ reason }, 'shutting down');
    void server
      .dispose()
      .then(() => server.mcp.close())
      .then(() => app.close())
      .finally(() => process.exit(0));
  };
  process.stdin.on('end', () => shutdown('stdin ended'));
  process.stdin.on('close', () => shutdown('stdin closed'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  transport.onclose = () => shutdown('transport closed');
  await server.mcp.connect(transport);
  app.deps.logger.info({ db: redactUrl(app.config.db), toolset: options.toolset }, 'fleetdeck serving over stdio');
}
