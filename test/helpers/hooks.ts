import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLI } from './stdio.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/hooks/', import.meta.url));

/** A recorded hook payload with `__WORKSPACE__` replaced, plus overrides. */
export function fixture(name: string, workspace: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const text = readFileSync(`${FIXTURES}${name}.json`, 'utf8').replaceAll('__WORKSPACE__', workspace);
  return { ...(JSON.parse(text) as Record<string, unknown>), ...overrides };
}

export interface HookRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed (the hook prints only its JSON answer) */
  json: Record<string, unknown>;
}

/** The environment of a hook or server: no inherited fleetdeck settings, then `env`. */
export function hookEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const key of Object.keys(base)) if (key.startsWith('FLEETDECK_') || key === 'CLAUDE_PROJECT_DIR') delete base[key];
  return { ...base, FLEETDECK_LOG_LEVEL: 'warn', ...env };
}

/** Runs `node dist/cli.js hook EVENT ARGS` with the payload on stdin, as Claude Code does. */
export function runHook(event: string, payload: unknown, options: { env: Record<string, string>; args?: string[]; cwd?: string }): Promise<HookRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'hook', event, ...(options.args ?? [])], { env: hookEnv(options.env), cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: Record<string, unknown> = {};
      try {
        json = stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
      } catch {
        json = { unparsable: stdout };
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
    child.stdin.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
  });
}

export function gitRepo(dir: string): void {
  execFileSync('git', ['init', '-q', dir]);
  execFileSync('git', ['-C', dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'init']);
}

/** One fake Claude Code process (test/fixtures/hooks/fake-claude.mjs) working in `cwd`. */
export class FakeClaude {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(readonly child: ChildProcess) {
    child.on('message', (msg: { id?: number; result?: unknown; error?: string }) => {
      if (msg.id === undefined) return;
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (msg.error) w?.reject(new Error(msg.error));
      else w?.resolve(msg.result);
    });
  }

  static start(cwd: string, env: Record<string, string>): Promise<FakeClaude> {
    const child = fork(`${FIXTURES}fake-claude.mjs`, [], { cwd, env: hookEnv({ ...env, FAKE_CLAUDE_CLI: CLI }), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve(new FakeClaude(child)));
      child.once('error', reject);
    });
  }

  private send<T>(msg: Record<string, unknown>): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...msg, id });
    });
  }

  async hook(event: string, payload: unknown, args: string[] = []): Promise<HookRun> {
    const r = await this.send<{ code: number; stdout: string; stderr: string }>({ op: 'hook', event, payload, args });
    return { ...r, json: r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, unknown>) };
  }

  serve(): Promise<{ pid: number }> {
    return this.send({ op: 'serve' });
  }

  tool<T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}): Promise<{ isError: boolean; structuredContent: T }> {
    return this.send({ op: 'tool', name, args });
  }

  async exit(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    await this.send({ op: 'exit' }).catch(() => undefined);
    await exited;
  }
}
