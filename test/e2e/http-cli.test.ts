import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { connectHttp } from '../helpers/http.js';
import { CLI, REPO_ROOT } from '../helpers/stdio.js';

const run = promisify(execFile);

/** `fleetdeck …` against the test database; returns stdout and the exit code. */
async function fleetdeck(db: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args, '--db', db], { cwd: REPO_ROOT });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

/** Spawns `serve --http 127.0.0.1:0` and reads the bound URL from its JSON log on stderr. */
async function spawnHttp(db: string, extra: string[] = []): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--http', '127.0.0.1:0', '--db', db, ...extra], {
    cwd: REPO_ROOT,
    env: { ...process.env, FLEETDECK_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      for (const line of stderr.split('\n')) {
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'fleetdeck serving over HTTP' && entry.url) resolve(entry.url);
        } catch {
          // a partial line
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`serve --http exited with ${code}\n${stderr}`)));
  });
  expect(stdout).toBe(''); // logs go to stderr only
  return { child, url, stderr: () => stderr };
}

describe('fleetdeck serve --http and fleetdeck token (built CLI)', () => {
  let dir: { dir: string; cleanup: () => void };
  let db: string;
  let server: ChildProcess | null = null;
  beforeEach(() => {
    dir = tempDir();
    db = join(dir.dir, 'fleet.db');
  });
  afterEach(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    server = null;
    dir.cleanup();
  });

  it('creates, lists and revokes tokens; the server honours them at once', async () => {
    const created = await fleetdeck(db, 'token', 'create', '--agent', 'alice', '--role', 'implementer', '--json');
    expect(created.code).toBe(0);
    const token = JSON.parse(created.stdout) as { token_id: string; secret: string; kind: string; agent_id: string; agent_created: boolean };
    expect(token).toMatchObject({ kind: 'agent', agent_created: true });
    expect(token.secret).toMatch(/^fdk_/);
    expect(token.token_id).toMatch(/^tok_/);

    const plain = await fleetdeck(db, 'token', 'create', '--operator', '--label', 'ops');
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim()).toMatch(/^fdk_[A-Za-z0-9_-]+$/); // only the secret on stdout
    expect(plain.stderr).toMatch(/shown only once/);

    const listed = JSON.parse((await fleetdeck(db, 'token', 'list', '--json')).stdout) as { tokens: { token_id: string; label: string }[] };
    expect(listed.tokens.map((x) => x.label).sort()).toEqual(['alice', 'ops']);
    expect(JSON.stringify(listed)).not.toContain(token.secret);

    const srv = await spawnHttp(db);
    server = srv.child;
    const alice = await connectHttp(srv.url, token.secret);
    expect(await alice.ok('whoami')).toMatchObject({ kind: 'agent', agent: { agent_id: token.agent_id } });

    const revoked = await fleetdeck(db, 'token', 'revoke', token.token_id, '--json');
    expect(JSON.parse(revoked.stdout)).toMatchObject({ token_id: token.token_id, changed: true });
    await expect(alice.client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow();
    await alice.client.close();
    const again = await fleetdeck(db, 'token', 'revoke', token.token_id, '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false });
    const all = JSON.parse((await fleetdeck(db, 'token', 'list', '--all', '--json')).stdout) as { tokens: { token_id: string; revoked_at: string | null }[] };
    expect(all.tokens.find((x) => x.token_id === token.token_id)!.revoked_at).not.toBeNull();
    expect((await fleetdeck(db, 'audit', 'verify')).code).toBe(0);
  });

  it('refuses bad input with a usage error and a non-zero exit', async () => {
    const neither = await fleetdeck(db, 'token', 'create');
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toMatch(/--agent or --operator/);
    const noRole = await fleetdeck(db, 'token', 'create', '--agent', 'zed');
    expect(noRole.code).not.toBe(0);
    expect(noRole.stderr).toMatch(/--role/);
    const unknown = await fleetdeck(db, 'token', 'revoke', 'tok_doesnotexist');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/NOT_FOUND/);
    const wide = await fleetdeck(db, 'serve', '--http', '0.0.0.0:0');
    expect(wide.code).not.toBe(0);
    expect(wide.stderr).toMatch(/--http-allowed-hosts/);
  });

  it('stops cleanly on SIGTERM', async () => {
    const srv = await spawnHttp(db);
    const exited = new Promise<string>((r) => srv.child.once('exit', (code, signal) => r(`${code}/${signal}`)));
    srv.child.kill('SIGTERM');
    expect(await exited, srv.stderr()).toBe('0/null');
    expect(srv.stderr()).toMatch(/shutting down/);
  });
});
