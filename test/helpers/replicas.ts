import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, REPO_ROOT } from './stdio.js';

/**
 * A `serve --http` replica of the built CLI as its own process. It records how it ended, so a test
 * can tell a replica it killed from one that exited on its own.
 */
export interface ReplicaProcess {
  child: ChildProcess;
  url: string;
  origin: string;
  /** set before the test kills it; an exit without it is the replica dying on its own */
  killedByTest: boolean;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  stderr(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export async function startReplica(args: string[], env: Record<string, string> = {}): Promise<ReplicaProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', FLEETDECK_LOG_LEVEL: 'info', FLEETDECK_WORKSPACE: REPO_ROOT, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const replica: Partial<ReplicaProcess> = { child, killedByTest: false, exit: null, stderr: () => stderr };
  child.once('exit', (code, signal) => (replica.exit = { code, signal }));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.length > 2_000_000) stderr = stderr.slice(-1_000_000);
      for (const line of stderr.split('\n')) {
        if (!line.includes('fleetdeck serving over HTTP')) continue;
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.url) resolve(entry.url);
        } catch {
          // a partial line
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}\n${stderr.slice(-4000)}`)));
  });
  const exited = () => replica.exit !== null;
  return Object.assign(replica, {
    url,
    origin: new URL(url).origin,
    async kill9() {
      replica.killedByTest = true;
      if (exited()) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await done;
    },
    async stop() {
      replica.killedByTest = true;
      if (exited()) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await done;
      clearTimeout(timer);
    },
  }) as ReplicaProcess;
}
