import type { Config } from '../../config.js';
import { FleetError } from '../../domain/errors.js';
import { openApp } from '../../main.js';
import type { HttpServerHandle } from '../../transports/http.js';
import { DEFAULT_HTTP_ADDRESS, HTTP_SETTINGS, loadHttpSettings, parseAddress, type HttpSettingKey } from '../../transports/http/settings.js';
import { flag, str, type OptionSpec, type ParsedArgs } from '../command.js';
import { redactUrl } from '../../store/open-store.js';

/** `serve --http`: the flags added to `serve`, and what it does with them. */
export const HTTP_OPTIONS: OptionSpec = {
  http: { type: 'string' },
  ...Object.fromEntries(HTTP_SETTINGS.map((s) => [s.flag, { type: 'string' as const }])),
};

export const HTTP_USAGE = [
  '',
  `HTTP (--http HOST:PORT, e.g. ${DEFAULT_HTTP_ADDRESS}; port 0 picks a free one, logged to stderr):`,
  '  every request needs Authorization: Bearer <token> (fleetdeck token create); endpoints /mcp, /healthz (liveness), /readyz (the database answers), /metrics (operator token)',
  '  the operator\'s web console is at / (sign in at /login with an operator token; docs/console.md)',
  ...HTTP_SETTINGS.map((s) => `  --${s.flag.padEnd(26)} ${s.env.padEnd(36)} ${s.help} (default ${s.default})`),
];

export async function serveHttp(args: ParsedArgs, config: Config): Promise<number> {
  if (flag(args, 'operator') || str(args, 'agent')) {
    throw new FleetError('INVALID_INPUT', '--operator and --agent are for stdio', 'over HTTP each request names its identity with a bearer token');
  }
  const flags: Partial<Record<HttpSettingKey, string>> = {};
  for (const s of HTTP_SETTINGS) {
    const v = str(args, s.flag);
    if (v !== undefined) flags[s.key] = v;
  }
  const settings = loadHttpSettings(flags);
  const { host, port } = parseAddress(str(args, 'http') || DEFAULT_HTTP_ADDRESS);
  // the HTTP stack loads only for --http: a stdio server never pays for it
  const { startHttpServer } = await import('../../transports/http.js');
  const app = await openApp(config, { sweep: true });
  const logger = app.deps.logger;
  let handle: HttpServerHandle | null = null;
  let closing = false;
  const shutdown = (reason: string) => {
    if (closing) return;
    closing = true;
    logger.info({ reason }, 'shutting down');
    void (handle?.close() ?? Promise.resolve())
      .then(() => app.close())
      .finally(() => process.exit(0));
  };
  // before the address is logged: whoever reads it may signal at once
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    handle = await startHttpServer(app, { ...settings, host, port });
  } catch (error) {
    await app.close();
    throw error;
  }
  logger.info({ url: handle.url, db: redactUrl(app.config.db), health: `${handle.origin}/healthz`, ready: `${handle.origin}/readyz` }, 'fleetdeck serving over HTTP');
  return new Promise<number>(() => {}); // runs until a signal
}
