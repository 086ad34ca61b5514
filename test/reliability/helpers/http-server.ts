/** The built `serve --http` as a separate process, and agent tokens made with `fleetdeck token create`. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI, REPO_ROOT } from '../../helpers/stdio.js';

const run = promisify(execFile);

export async function createAgentToken(db: string, name: string, role: string): Promise<{ secret: string; agentId: string }> {
  const { stdout } = await run(process.execPath, [CLI, 'token', 'create', '--agent', name, '--role', role, '--json', '--db', db], { cwd: REPO_ROOT });
  const created = JSON.parse(stdout) as { secret: string; agent_id: string };
  return { secret: created.secret, agentId: created.agent_id };
}

export interface HttpProcess {
  child: ChildProcess;
  url: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Spawns `serve --http 127.0.0.1:0` and reads the bound URL from its JSON log on stderr. */
export async function spawnHttpServer(db: string): Promise<HttpProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--http', '127.0.0.1:0', '--db', db], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', FLEETDECK_LOG_LEVEL: 'info', FLEETDECK_WORKSPACE: REPO_ROOT },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
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
  return {
    child,
    url,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
