import { createRequire } from 'node:module';
import type { Logger } from 'pino';

export type { Logger };

const require = createRequire(import.meta.url);

/**
 * Logs go to stderr (file descriptor 2): in the stdio server stdout is the MCP protocol. pino is
 * loaded on the first call, not on import: a Claude Code hook (a new process on every tool call)
 * opens the fleet with its own small logger and never pays for loading pino.
 */
export function createLogger(level: string): Logger {
  const { pino } = require('pino') as typeof import('pino');
  return pino({ level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
}
