/**
 * `fleetdeck init`: .mcp.json and .claude/settings.json merged without machine-specific paths
 * when fleetdeck is installed (on PATH, or in the repository), personal entries otherwise; the
 * entries it writes really start fleetdeck.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { fixture, gitRepo, hookEnv } from '../helpers/hooks.js';
import { CLI } from '../helpers/stdio.js';
import { LAUNCHER_FILE, LAUNCHER_HOOK, LAUNCHER_SERVER } from '../../src/cli/init/launcher.js';
import { shellQuote } from '../../src/cli/init/invocation.js';

/** What init commits: the launcher, for the server and for every hook. */
const SERVER = { command: LAUNCHER_SERVER.command, args: [...LAUNCHER_SERVER.args, 'serve', '--session'] };
const hookCmd = (rest: string) => `${LAUNCHER_HOOK} hook ${rest}`;

const run = promisify(execFile);

type Settings = { permissions?: unknown; hooks: Record<string, { matcher?: string; hooks: { type: string; command: string; timeout?: number }[] }[]> };

describe('fleetdeck init', () => {
  let tmp: { dir: string; cleanup: () => void };
  let root: string;
  let repo: string;
  let bin: string;
  let env: NodeJS.ProcessEnv;

  /** A `fleetdeck` on PATH, as a global install puts it there. */
  const shim = (dir: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'fleetdeck'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(join(dir, 'fleetdeck'), 0o755);
  };
  const fleetdeck = async (cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = env) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd, env: extraEnv });
      return { stdout, stderr, code: 0 };
    } catch (error) {
      const e = error as { stdout: string; stderr: string; code: number };
      return { stdout: e.stdout, stderr: e.stderr, code: e.code };
    }
  };
  const read = (file: string) => readFileSync(join(repo, file), 'utf8');

  beforeEach(() => {
    tmp = tempDir();
    root = realpathSync(tmp.dir);
    repo = join(root, 'repo');
    gitRepo(repo);
    mkdirSync(join(repo, 'sub'));
    bin = join(root, 'bin');
    shim(bin);
    env = hookEnv({ XDG_DATA_HOME: join(root, 'xdg') });
    env.PATH = `${bin}:${process.env.PATH}`;
  });
  afterEach(() => tmp.cleanup());

  it('merges the server and the hooks into the project files, with no absolute path, idempotently', async () => {
    writeFileSync(join(repo, '.mcp.json'), JSON.stringify({ mcpServers: { other: { command: 'x', args: [] } }, extra: true }));
    mkdirSync(join(repo, '.claude'));
    const userHook = { type: 'command', command: 'echo "checked by the team linter"' };
    writeFileSync(
      join(repo, '.claude', 'settings.json'),
      JSON.stringify({ permissions: { allow: ['Bash(npm test)'] }, hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [userHook] }], Notification: [{ hooks: [userHook] }] } }),
    );
    const first = await fleetdeck(join(repo, 'sub'), ['init', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout) as { scope: string; source: string; written: boolean; claude_command: string };
    expect(out).toMatchObject({ scope: 'project', source: 'path', written: true });
    expect(out.claude_command).toBe(['claude', 'mcp', 'add', 'fleetdeck', '--', SERVER.command, ...SERVER.args].map(shellQuote).join(' '));

    const mcp = JSON.parse(read('.mcp.json')) as { extra: boolean; mcpServers: Record<string, unknown> };
    expect(mcp.extra).toBe(true);
    expect(mcp.mcpServers.other).toEqual({ command: 'x', args: [] });
    expect(mcp.mcpServers.fleetdeck).toEqual(SERVER);
    expect(statSync(join(repo, LAUNCHER_FILE)).mode & 0o111).not.toBe(0);

    const settings = JSON.parse(read('.claude/settings.json')) as Settings;
    expect(settings.permissions).toEqual({ allow: ['Bash(npm test)'] });
    expect(settings.hooks.Notification).toEqual([{ hooks: [userHook] }]);
    expect(settings.hooks.PreToolUse).toEqual([
      { matcher: 'Bash', hooks: [userHook] },
      { matcher: 'Edit|Write|MultiEdit|NotebookEdit', hooks: [{ type: 'command', command: hookCmd('pre-tool-use'), timeout: 10 }] },
    ]);
    expect(settings.hooks.PostToolUse).toEqual([{ matcher: '*', hooks: [{ type: 'command', command: hookCmd('post-tool-use'), timeout: 10 }] }]);
    for (const [event, cmd] of [['SessionStart', 'session-start'], ['UserPromptSubmit', 'user-prompt-submit'], ['Stop', 'stop']]) {
      expect(settings.hooks[event!]).toEqual([{ hooks: [{ type: 'command', command: hookCmd(cmd!), timeout: 10 }] }]);
    }
    for (const file of ['.mcp.json', '.claude/settings.json', LAUNCHER_FILE]) {
      expect(read(file)).not.toContain(root);
      expect(read(file)).not.toContain(process.execPath);
    }

    // again: nothing changes; with flags: the same entries are updated in place
    const before = [read('.mcp.json'), read('.claude/settings.json')];
    const again = JSON.parse((await fleetdeck(repo, ['init', '--json'])).stdout) as { written: boolean; files: { changed: boolean }[] };
    expect(again.written).toBe(false);
    expect(again.files.map((f) => f.changed)).toEqual([false, false, false]);
    expect([read('.mcp.json'), read('.claude/settings.json')]).toEqual(before);
    expect((await fleetdeck(repo, ['init', '--auto-claim', '--block-stop'])).code).toBe(0);
    const updated = JSON.parse(read('.claude/settings.json')) as Settings;
    expect(updated.hooks.PreToolUse![1]!.hooks[0]!.command).toBe(hookCmd('pre-tool-use --auto-claim'));
    expect(updated.hooks.Stop).toEqual([{ hooks: [{ type: 'command', command: hookCmd('stop --block-stop'), timeout: 10 }] }]);
    expect(updated.hooks.PreToolUse).toHaveLength(2);
    // plain init again keeps the options it finds; --reset drops them
    const plain = await fleetdeck(repo, ['init']);
    expect(plain.stderr).toContain('kept --auto-claim --block-stop from the existing hooks');
    expect((JSON.parse(read('.claude/settings.json')) as Settings).hooks.Stop![0]!.hooks[0]!.command).toBe(hookCmd('stop --block-stop'));
    expect((await fleetdeck(repo, ['init', '--reset'])).code).toBe(0);
    expect((JSON.parse(read('.claude/settings.json')) as Settings).hooks.Stop![0]!.hooks[0]!.command).toBe(hookCmd('stop'));
  });

  it('what it writes starts fleetdeck: the server and a hook act as one session agent', async () => {
    expect((await fleetdeck(repo, ['init'])).code).toBe(0);
    const entry = (JSON.parse(read('.mcp.json')) as { mcpServers: { fleetdeck: { command: string; args: string[] } } }).mcpServers.fleetdeck;
    const transport = new StdioClientTransport({ command: entry.command, args: entry.args, cwd: repo, env: env as Record<string, string> });
    const client = new Client({ name: 'init-test', version: '0' });
    await client.connect(transport);
    try {
      const who = (await client.callTool({ name: 'whoami', arguments: {} })) as unknown as { structuredContent: { agent: { agent_id: string } } };
      const settings = JSON.parse(read('.claude/settings.json')) as Settings;
      const command = settings.hooks.SessionStart![0]!.hooks[0]!.command;
      const hook = await new Promise<string>((resolve, reject) => {
        const child = execFile('sh', ['-c', command], { cwd: repo, env: { ...env, CLAUDE_PROJECT_DIR: repo } }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
        child.stdin!.end(JSON.stringify(fixture('session-start', repo)));
      });
      expect(hook).toContain(`(${who.structuredContent.agent.agent_id}, role implementer)`);
    } finally {
      await client.close();
    }
  });

  it('uses the repository\'s own install when there is one, through the launcher, also from a fresh worktree without node_modules', async () => {
    shim(join(repo, 'node_modules', '.bin'));
    const noPath = { ...env, PATH: process.env.PATH };
    const res = JSON.parse((await fleetdeck(repo, ['init', '--json'], noPath)).stdout) as { source: string };
    expect(res.source).toBe('repo');
    expect((JSON.parse(read('.mcp.json')) as { mcpServers: Record<string, unknown> }).mcpServers.fleetdeck).toEqual(SERVER);
    const settings = JSON.parse(read('.claude/settings.json')) as Settings;
    const command = settings.hooks.PreToolUse![0]!.hooks[0]!.command;
    expect(command).toBe(hookCmd('pre-tool-use'));
    const runIn = (dir: string, extra: NodeJS.ProcessEnv = {}) =>
      new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
        const child = execFile('sh', ['-c', command], { cwd: join(dir), env: { ...noPath, CLAUDE_PROJECT_DIR: dir, ...extra } }, (error, out, err) =>
          resolve({ stdout: out, stderr: err, code: error ? ((error as { code?: number }).code ?? 1) : 0 }),
        );
        child.stdin!.end(JSON.stringify(fixture('pre-tool-use-edit', dir)));
      });
    expect(JSON.parse((await runIn(repo)).stdout)).toEqual({});
    // a fresh worktree (committed files, no node_modules): the main checkout's install is found
    execFileSync('git', ['-C', repo, 'add', '.mcp.json', '.claude']);
    execFileSync('git', ['-C', repo, '-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'fleetdeck']);
    const fresh = join(root, 'repo-fresh');
    execFileSync('git', ['-C', repo, 'worktree', 'add', '-q', '-b', 'fresh', fresh]);
    expect(existsSync(join(fresh, 'node_modules'))).toBe(false);
    const inFresh = await runIn(fresh);
    expect(inFresh.code, inFresh.stderr).toBe(0);
    expect(JSON.parse(inFresh.stdout)).toEqual({});
    // nowhere to be found: one line for the person, the edit goes ahead (never a bare 127)
    execFileSync('rm', ['-rf', join(repo, 'node_modules')]);
    const missing = await runIn(fresh);
    expect(missing.code).toBe(0);
    expect(String((JSON.parse(missing.stdout) as { systemMessage: string }).systemMessage)).toMatch(/fleetdeck not found/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('without an install (or with --db) writes personal entries only: settings.local.json, kept out of git, and a local `claude mcp add`', async () => {
    const noPath = { ...env, PATH: process.env.PATH };
    const db = join(root, 'team.db');
    const res = await fleetdeck(repo, ['init', '--db', db, '--json'], noPath);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as { scope: string; file: string | null; hooks_file: string; claude_command: string };
    expect(out.scope).toBe('local');
    expect(out.file).toBeNull();
    expect(existsSync(join(repo, '.mcp.json'))).toBe(false);
    expect(existsSync(join(repo, '.claude', 'settings.json'))).toBe(false);
    expect(out.hooks_file).toBe(join(repo, '.claude', 'settings.local.json'));
    expect(out.claude_command).toBe(`claude mcp add --scope local fleetdeck -- ${process.execPath} ${CLI} serve --session --db ${db}`);
    const settings = JSON.parse(read('.claude/settings.local.json')) as Settings;
    expect(settings.hooks.Stop![0]!.hooks[0]!.command).toBe(`${process.execPath} ${CLI} hook stop --db ${db}`);
    expect(execFileSync('git', ['-C', repo, 'status', '--porcelain', '--untracked-files=all']).toString()).toBe('');
  });

  it('--dry-run prints the change and writes nothing; a foreign entry needs --force; an old absolute entry is updated', async () => {
    const dry = await fleetdeck(repo, ['init', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain(`would write ${join(repo, '.mcp.json')}`);
    expect(dry.stdout).toContain(JSON.stringify(hookCmd('pre-tool-use')));
    expect(existsSync(join(repo, '.mcp.json'))).toBe(false);
    expect(existsSync(join(repo, '.claude'))).toBe(false);

    writeFileSync(join(repo, '.mcp.json'), JSON.stringify({ mcpServers: { fleetdeck: { command: 'node', args: ['/old/place/dist/cli.js', 'serve', '--db', '/old/fleet.db'] } } }));
    expect((await fleetdeck(repo, ['init'])).code).toBe(0);
    expect((JSON.parse(read('.mcp.json')) as { mcpServers: Record<string, unknown> }).mcpServers.fleetdeck).toEqual(SERVER);

    writeFileSync(join(repo, '.mcp.json'), JSON.stringify({ mcpServers: { fleetdeck: { command: 'python', args: ['other.py'] } } }));
    const clash = await fleetdeck(repo, ['init']);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toMatch(/already has a different 'fleetdeck' server/);
    expect((await fleetdeck(repo, ['init', '--force'])).code).toBe(0);

    const http = await fleetdeck(repo, ['init', '--http', 'http://fleet.internal:8765/mcp', '--name', 'team']);
    expect(http.code).toBe(0);
    expect(http.stdout.trim()).toBe('claude mcp add --transport http team http://fleet.internal:8765/mcp --header "Authorization: Bearer $FLEETDECK_TOKEN"');
    const doc = JSON.parse(read('.mcp.json')) as { mcpServers: Record<string, unknown> };
    expect(doc.mcpServers.team).toEqual({ type: 'http', url: 'http://fleet.internal:8765/mcp', headers: { Authorization: 'Bearer ${FLEETDECK_TOKEN}' } });
  });
});
