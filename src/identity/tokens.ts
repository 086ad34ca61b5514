import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { FleetError } from '../domain/errors.js';

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

  private placeChecked = false;

  /**
   * Refuses to start a vault inside a git work tree whose git does not ignore it: a token there
   * is one `git add .` away from being committed. Checked once, before the first token is made.
   */
  checkPlace(): void {
    if (this.placeChecked || existsSync(this.dir)) return;
    const tree = workTreeOf(dirname(this.dir));
    if (tree !== null && !gitIgnores(tree, this.dir)) {
      throw new FleetError(
        'INVALID_STATE',
        `the token vault ${this.dir} would be inside the git work tree ${tree}, and git does not ignore it`,
        `keep the database outside the repository (e.g. --db ~/.local/share/fleetdeck/fleet.db), pass --data-dir outside it, or add ${relative(tree, this.dir)}/ to .gitignore`,
      );
    }
    this.placeChecked = true;
  }

  save(agentId: string, token: string): void {
    this.checkPlace();
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

/** The top of the git work tree holding `dir` (the nearest ancestor with `.git`), or null. */
function workTreeOf(dir: string): string | null {
  for (let current = resolve(dir); ; ) {
    if (existsSync(join(current, '.git'))) return current;
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/** Whether git ignores `path` in `tree` (only asked when a vault is about to be created there). */
function gitIgnores(tree: string, path: string): boolean {
  try {
    // with a trailing slash: a rule such as `tokens/` matches directories only, and this one does not exist yet
    execFileSync('git', ['-C', tree, 'check-ignore', '-q', '--no-index', `${path}/`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
