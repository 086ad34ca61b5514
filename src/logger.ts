import { pino, type Logger } from 'pino';

export type { Logger };

/** Logs go to stderr (file descriptor 2): in the stdio server stdout is the MCP protocol. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
}
