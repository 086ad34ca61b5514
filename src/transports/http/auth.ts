import type { IncomingMessage } from 'node:http';
import type { App } from '../../main.js';
import type { Logger } from '../../logger.js';
import { authenticateBearer, recordTokenUse, type BearerIdentity } from '../../services/access-tokens.js';

const TOKEN_USE_RECORD_MS = 60_000;

/** null: a token that is malformed, unknown or revoked; 'absent': no Authorization header. */
export type AuthResult = BearerIdentity | null | 'absent';

/**
 * The bearer token of a request → its identity, on every request (never from the MCP session id).
 * Token use is recorded at most once a minute per token and per replica, off the request's path.
 */
export function createAuthenticator(app: App, log: Logger): (req: IncomingMessage) => Promise<AuthResult> {
  const recorded = new Map<string, number>();
  return async (req) => {
    const header = req.headers.authorization;
    if (!header) return 'absent';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return null;
    const identity = await authenticateBearer(app.deps, m[1]!);
    if (identity?.tokenId) {
      const now = Date.now();
      if (now - (recorded.get(identity.tokenId) ?? 0) >= TOKEN_USE_RECORD_MS) {
        recorded.set(identity.tokenId, now);
        recordTokenUse(app.deps, identity.tokenId).catch((error: unknown) => log.warn({ err: error }, 'could not record token use'));
      }
    }
    return identity;
  };
}
