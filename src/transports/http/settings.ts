import { z } from 'zod';
import { FleetError } from '../../domain/errors.js';

/**
 * Settings of the HTTP transport (`serve --http`), like src/config.ts: flag, then environment, then
 * default; `serve --help` prints this table. `--http` itself is a flag only, so an environment
 * variable never turns a stdio server (started by a coding assistant) into an HTTP one.
 */
export const HTTP_SETTINGS = [
  { key: 'allowedHosts', flag: 'http-allowed-hosts', env: 'FLEETDECK_HTTP_ALLOWED_HOSTS', default: '(loopback names when bound to loopback)', help: 'comma-separated Host names accepted (DNS-rebinding protection); * accepts any' },
  { key: 'allowedOrigins', flag: 'http-allowed-origins', env: 'FLEETDECK_HTTP_ALLOWED_ORIGINS', default: '(origins on an allowed host)', help: 'comma-separated Origin values accepted from browsers' },
  { key: 'maxBodyBytes', flag: 'http-max-body-bytes', env: 'FLEETDECK_HTTP_MAX_BODY_BYTES', default: '16777216', help: 'largest request body; larger ones get 413 before they are read' },
  { key: 'ratePerSecond', flag: 'http-rate', env: 'FLEETDECK_HTTP_RATE', default: '20', help: 'requests per second each token may sustain (token bucket); excess gets 429 with Retry-After' },
  { key: 'burst', flag: 'http-burst', env: 'FLEETDECK_HTTP_BURST', default: '100', help: 'requests a token may send at once above the sustained rate' },
  { key: 'sessionIdleSeconds', flag: 'http-session-idle-seconds', env: 'FLEETDECK_HTTP_SESSION_IDLE_SECONDS', default: '1800', help: 'an MCP session without requests or open streams this long is closed' },
  { key: 'maxSessions', flag: 'http-max-sessions', env: 'FLEETDECK_HTTP_MAX_SESSIONS', default: '1000', help: 'open MCP sessions in all; past it new sessions get 503' },
] as const;

export type HttpSettingKey = (typeof HTTP_SETTINGS)[number]['key'];

export const DEFAULT_HTTP_ADDRESS = '127.0.0.1:8765';

const Schema = z.object({
  allowedHosts: z.array(z.string().min(1)).optional(),
  allowedOrigins: z.array(z.string().min(1)).optional(),
  maxBodyBytes: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024),
  ratePerSecond: z.coerce.number().positive().max(1_000_000),
  burst: z.coerce.number().int().min(1).max(1_000_000),
  sessionIdleSeconds: z.coerce.number().min(1).max(7 * 86_400),
  maxSessions: z.coerce.number().int().min(1).max(1_000_000),
});

export type HttpSettings = z.infer<typeof Schema>;

const list = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);

export function loadHttpSettings(flags: Partial<Record<HttpSettingKey, string | undefined>>, env: NodeJS.ProcessEnv = process.env): HttpSettings {
  const pick = (key: HttpSettingKey): string | undefined => {
    const s = HTTP_SETTINGS.find((x) => x.key === key)!;
    return flags[key] ?? env[s.env] ?? undefined;
  };
  const parsed = Schema.safeParse({
    allowedHosts: list(pick('allowedHosts')),
    allowedOrigins: list(pick('allowedOrigins')),
    maxBodyBytes: pick('maxBodyBytes') ?? 16 * 1024 * 1024,
    ratePerSecond: pick('ratePerSecond') ?? 20,
    burst: pick('burst') ?? 100,
    sessionIdleSeconds: pick('sessionIdleSeconds') ?? 1800,
    maxSessions: pick('maxSessions') ?? 1000,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new FleetError('INVALID_INPUT', `invalid HTTP settings: ${problems}`, 'see fleetdeck serve --help');
  }
  return parsed.data;
}

/** `HOST:PORT`, `[v6]:PORT`, or `PORT` (loopback). Port 0 picks a free port. */
export function parseAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address) ?? /^()()(\d{1,5})$/.exec(address);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65_535)) {
    throw new FleetError('INVALID_INPUT', `invalid --http address: ${address}`, 'use HOST:PORT, e.g. 127.0.0.1:8765 (port 0 picks a free one)');
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}
