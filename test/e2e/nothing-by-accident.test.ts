/**
 * Never fail open silently, never create by accident (issue 17): a database this build cannot read
 * (a newer schema, another program's SQLite file) is refused by hooks (warning, or exit 2 with
 * --strict) and commands alike; a token vault is never created inside a git work tree that does
 * not ignore it; `doctor` recognises the server entry `init` writes.
 */
import Database from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { fixture, gitRepo, hookEnv, runHook } from '../helpers/hooks.js';
import { CLI } from '../helpers/stdio.js';

describe('nothing by accident', () => {
  let tmp: ReturnType<typeof tempDir>;
  let root: string;
  let repo: string;
  const cli = (cwd: string, args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: hookEnv(env), encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  beforeEach(() => {
    tmp = tempDir('fleetdeck-accident-');
    root = realpathSync(tmp.dir);
    repo = join(root, 'repo');
    gitRepo(repo);
    mkdirSync(join(root, 'data'));
  });
  afterEach(() => tmp.cleanup());

  it('a schema newer than this build, or another program\'s SQLite file, is refused by commands and hooks', async () => {
    const db = join(root, 'data', 'fleet.db');
    expect(cli(root, ['token', 'create', '--operator', '--db', db]).code).toBe(0);
    const raw = new Database(db);
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)').run('from_the_future');
    raw.close();
    const status = cli(root, ['status', '--db', db]);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('schema version 999, newer than this fleetdeck knows');
    const payload = fixture('pre-tool-use-edit', repo);
    const hook = await runHook('pre-tool-use', payload, { env: { FLEETDECK_DB: db, FLEETDECK_DATA_DIR: join(root, 'data') } });
    expect(hook.code).toBe(0);
    expect(String(hook.json.systemMessage)).toContain('newer than this fleetdeck');
    const strict = await runHook('pre-tool-use', payload, { env: { FLEETDECK_DB: db, FLEETDECK_DATA_DIR: join(root, 'data') }, args: ['--strict'] });
    expect(strict.code).toBe(2);

    const foreign = join(root, 'data', 'notes.db');
    const other = new Database(foreign);
    other.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)');
    other.close();
    const refused = await runHook('pre-tool-use', payload, { env: { FLEETDECK_DB: foreign, FLEETDECK_DATA_DIR: join(root, 'data') } });
    expect(String(refused.json.systemMessage)).toContain('not a fleetdeck database');
    const tables = new Database(foreign).prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(['notes']); // nothing of ours was added
  });

  it('refuses to start a token vault inside a git work tree that does not ignore it, and allows it once ignored', () => {
    const db = join(repo, 'team.db');
    const refused = cli(repo, ['token', 'create', '--agent', 'bob', '--role', 'implementer', '--db', db]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/token vault .*tokens would be inside the git work tree/);
    expect(existsSync(join(repo, 'tokens'))).toBe(false);
    writeFileSync(join(repo, '.gitignore'), 'tokens/\n');
    const allowed = cli(repo, ['token', 'create', '--agent', 'bob', '--role', 'implementer', '--db', db]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(existsSync(join(repo, 'tokens'))).toBe(true);
  });

  it('doctor recognises the server entry init writes (the committed launcher)', () => {
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'fleetdeck'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
    const env = { XDG_DATA_HOME: join(root, 'xdg'), PATH: `${bin}:${process.env.PATH}` };
    expect(cli(repo, ['init'], env).code).toBe(0);
    expect(readFileSync(join(repo, '.mcp.json'), 'utf8')).toContain('.claude/fleetdeck.sh');
    const report = JSON.parse(cli(repo, ['doctor', '--json'], env).stdout) as { checks: { name: string; status: string; detail: string }[] };
    const mcp = report.checks.find((c) => c.name === '.mcp.json')!;
    expect(mcp.detail).toBe('fleetdeck: ok');
    expect(mcp.status).toBe('ok');
    execFileSync('git', ['-C', repo, 'status', '--porcelain']); // still a healthy repository
  });
});
