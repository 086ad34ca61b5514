/**
 * The logger a hook opens the fleet with: warnings and errors as one JSON line each on stderr
 * (pino's shape: level number, time, pid, fields, msg), everything else dropped. A hook is a new
 * process on every tool call; pino's own start-up cost is not worth it for a few lines at most.
 */
import type { Logger } from '../logger.js';

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

export function hookLogger(bindings: Record<string, unknown> = {}): Logger {
  const write =
    (level: number) =>
    (objOrMsg?: unknown, msg?: string): void => {
      if (level < LEVELS.warn) return;
      const fields = typeof objOrMsg === 'object' && objOrMsg !== null ? (objOrMsg as Record<string, unknown>) : {};
      const text = typeof objOrMsg === 'string' ? objOrMsg : msg;
      const err = fields.err instanceof Error ? { err: { message: fields.err.message } } : {};
      process.stderr.write(`${JSON.stringify({ level, time: Date.now(), pid: process.pid, ...bindings, ...fields, ...err, msg: text })}\n`);
    };
  const logger = {
    level: 'warn',
    trace: write(LEVELS.trace),
    debug: write(LEVELS.debug),
    info: write(LEVELS.info),
    warn: write(LEVELS.warn),
    error: write(LEVELS.error),
    fatal: write(LEVELS.fatal),
    child: (more: Record<string, unknown>) => hookLogger({ ...bindings, ...more }),
  };
  // only these methods are used by the services (a test drives them through a hook); the cast
  // keeps the services' Deps type unchanged
  return logger as unknown as Logger;
}
