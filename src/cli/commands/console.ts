import { userInfo } from 'node:os';
import { FleetError } from '../../domain/errors.js';
import { openApp } from '../../main.js';
import { ensureFleetDirectory } from '../fleet-file.js';
import { startHttpServer, type HttpServerHandle } from '../../transports/http.js';
import { loadHttpSettings } from '../../transports/http/settings.js';
import { configFrom, flag, str, type Command } from '../command.js';
import { printJson, printLine } from '../output.js';
import { redactUrl } from '../../store/open-store.js';

export const DEFAULT_CONSOLE_PORT = 8766;

/**
 * `fleetdeck console`: the web console on 127.0.0.1 for this OS user's fleet, with a one-time
 * sign-in link. The link carries a short-lived single-use code, never a token; whoever can run
 * this command as this user is the operator (the same trust boundary as `serve --operator`).
 * The same server also answers /mcp with bearer tokens, like `serve --http`.
 */
export const consoleCommand: Command = {
  path: ['console'],
  summary: 'serve the web console on 127.0.0.1 and print a one-time sign-in link',
  usage: [
    'fleetdeck console [--port PORT] [--db PATH] [--json]',
    '',
    `  --port PORT   port on 127.0.0.1 (default ${DEFAULT_CONSOLE_PORT}; 0 picks a free one)`,
    '  --json        print {url, sign_in_url, expires_at} as one JSON object',
    '',
    'The sign-in link works once, within 5 minutes. Run the command again for a new one, or sign in',
    'at /login with an operator token (fleetdeck token create --operator).',
  ].join('\n'),
  options: { port: { type: 'string' } },
  async run(args) {
    const rawPort = str(args, 'port') ?? String(DEFAULT_CONSOLE_PORT);
    const port = Number(rawPort);
    if (!/^\d{1,5}$/.test(rawPort) || port > 65_535) throw new FleetError('INVALID_INPUT', `invalid --port ${rawPort}`, 'a number from 0 to 65535');
    const config = configFrom(args);
    ensureFleetDirectory(config.db);
    const app = await openApp(config, { sweep: true });
    let handle: HttpServerHandle;
    try {
      handle = await startHttpServer(app, { ...loadHttpSettings({}), host: '127.0.0.1', port });
    } catch (error) {
      await app.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new FleetError('INVALID_STATE', `port ${port} is in use`, 'pick another with --port (0 picks a free one)');
      throw error;
    }
    let closing = false;
    const shutdown = () => {
      if (closing) return;
      closing = true;
      void handle
        .close()
        .then(() => app.close())
        .finally(() => process.exit(0));
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
    const { code, expiresAt } = handle.console!.issueSignInCode(userInfo().username);
    const signIn = `${handle.origin}/login?code=${encodeURIComponent(code)}`;
    if (flag(args, 'json')) printJson({ url: `${handle.origin}/`, sign_in_url: signIn, expires_at: new Date(expiresAt).toISOString(), db: redactUrl(app.config.db) });
    else {
      printLine(`fleetdeck console on ${handle.origin}/ (database ${redactUrl(app.config.db)})`);
      printLine(`Sign in (one-time link, valid 5 minutes): ${signIn}`);
      printLine('Stop with Ctrl-C.');
    }
    return new Promise<number>(() => {}); // runs until a signal
  },
};
