import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Tokens are 256-bit random secrets; a fast hash is enough because they cannot be guessed. */
export function newToken(): string {
  return `fdk_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function tokenMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Keeps each agent's token in a user-only file (0600, in a 0700 folder) of the data directory,
 * so a returning process of the same OS user resumes the identity without the token ever
 * passing through a model's transcript. The trust boundary over stdio is the OS user.
 */
export class TokenVault {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'tokens');
  }

  save(agentId: string, token: string): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const file = this.fileOf(agentId);
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }

  load(agentId: string): string | null {
    try {
      return readFileSync(this.fileOf(agentId), 'utf8').trim();
    } catch {
      return null;
    }
  }

  private fileOf(agentId: string): string {
    if (!/^agt_[0-9a-z]+$/.test(agentId)) throw new Error(`not an agent id: ${agentId}`);
    return join(this.dir, agentId);
  }
}
