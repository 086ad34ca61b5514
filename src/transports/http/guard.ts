import type { IncomingMessage } from 'node:http';
import { FleetError } from '../../domain/errors.js';

/**
 * DNS-rebinding protection, as the MCP specification asks of Streamable HTTP servers: the Host
 * header must name this server, and an Origin header, when a browser sends one, must be allowed.
 * The rule for loopback is the SDK's `localhostHostValidation` (localhost, 127.0.0.1, [::1]).
 */
export interface OriginGuard {
  /** null when allowed, else the reason for a 403 */
  check(req: IncomingMessage): string | null;
  allowedHosts: string[] | '*';
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function createGuard(bindHost: string, allowedHosts?: string[], allowedOrigins?: string[]): OriginGuard {
  let hosts: string[] | '*';
  if (allowedHosts && allowedHosts.length > 0) hosts = allowedHosts.includes('*') ? '*' : allowedHosts.map(normalHost);
  else if (isLoopback(bindHost)) hosts = [...new Set([...LOOPBACK_NAMES, normalHost(bindHost)])];
  else if (bindHost === '0.0.0.0' || bindHost === '::' || bindHost === '') {
    throw new FleetError(
      'INVALID_INPUT',
      `listening on every interface (${bindHost || 'any'}) needs --http-allowed-hosts`,
      'name the host names clients use, e.g. --http-allowed-hosts fleet.internal,10.0.0.5 (or * to accept any Host: not advised)',
    );
  } else hosts = [normalHost(bindHost)];
  const origins = allowedOrigins && allowedOrigins.length > 0 ? new Set(allowedOrigins.map((o) => o.replace(/\/$/, ''))) : null;

  return {
    allowedHosts: hosts,
    check(req) {
      if (hosts !== '*') {
        const header = req.headers.host;
        if (!header) return 'missing Host header';
        let hostname: string;
        try {
          hostname = new URL(`http://${header}`).hostname;
        } catch {
          return `invalid Host header: ${header}`;
        }
        if (!hosts.includes(hostname)) return `Host not allowed: ${hostname}`;
      }
      const origin = req.headers.origin;
      if (origin === undefined) return null; // not a browser: nothing to rebind
      if (origins) return origins.has(origin) ? null : `Origin not allowed: ${origin}`;
      if (hosts === '*') return `Origin not allowed: ${origin} (list it in --http-allowed-origins)`;
      try {
        const url = new URL(origin);
        if ((url.protocol === 'http:' || url.protocol === 'https:') && hosts.includes(url.hostname)) return null;
      } catch {
        // fall through
      }
      return `Origin not allowed: ${origin}`;
    },
  };
}

/** Host names as the URL parser gives them: lower case, IPv6 in brackets. */
function normalHost(host: string): string {
  const h = host.toLowerCase();
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
}
