/**
 * No ghost agents: a client that connects to `serve --session`, lists its tools and leaves (a
 * health check, an inspector probe, `claude mcp list`) leaves no agent behind; the session's
 * agent is registered when the session first acts (its first tool call).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAgents } from '../../src/services/agents.js';
import { openTestApp, tempDir, type TestApp } from '../helpers/app.js';
import { hookEnv } from '../helpers/hooks.js';
import { CLI } from '../helpers/stdio.js';

function claudeCli(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v claude'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

describe('serve --session registers its agent on the first tool call, not at connect', () => {
  let tmp: ReturnType<typeof tempDir>;
  let t: TestApp;
  let project: string;
  let env: Record<string, string>;
  const agents = async () => (await listAgents(t.app.deps)).length;

  beforeAll(async () => {
    tmp = tempDir('fleetdeck-probe-');
    t = await openTestApp({}, tmp.dir);
    project = join(tmp.dir, 'project');
    mkdirSync(project);
    execFileSync('git', ['init', '-q', project]);
    env = hookEnv({ FLEETDECK_DB: t.config.db, FLEETDECK_DATA_DIR: join(tmp.dir, 'data'), HOME: join(tmp.dir, 'home') }) as Record<string, string>;
    mkdirSync(env.HOME!);
  });
  afterAll(async () => {
    await t.close();
  });

  const connect = async () => {
    const client = new Client({ name: 'probe', version: '0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'serve', '--session'], cwd: project, env }));
    return client;
  };

  it('a plain SDK client that connects, lists tools and leaves leaves no agent; the first tool call registers one', async () => {
    const probe = await connect();
    expect((await probe.listTools()).tools.length).toBeGreaterThan(0);
    await probe.close();
    expect(await agents()).toBe(0);

    const session = await connect();
    const who = (await session.callTool({ name: 'whoami', arguments: {} })) as unknown as { structuredContent: { agent: { name: string } } };
    expect(who.structuredContent.agent.name).toMatch(/^claude@project\/[\w.-]+$/); // the repository and its branch
    expect(await agents()).toBe(1);
    await session.close();
  });

  const claude = claudeCli();
  if (!claude) console.log('skipping the `claude mcp list` check: the claude CLI is not installed (npm install -g @anthropic-ai/claude-code)');
  it.skipIf(!claude)('`claude mcp list` three times leaves the number of agents unchanged', async () => {
    const run = (args: string[]) => spawnSync(claude!, args, { cwd: project, env, encoding: 'utf8', timeout: 60_000 });
    const added = run(['mcp', 'add', '-s', 'user', 'fleet', '--', process.execPath, CLI, 'serve', '--session']);
    expect(added.status, added.stderr).toBe(0);
    const before = await agents();
    for (let i = 0; i < 3; i++) {
      const listed = run(['mcp', 'list']);
      expect(listed.status, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(/fleet: .*Connected/);
    }
    expect(await agents()).toBe(before);
  });
});
