import Database from 'better-sqlite3';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { CLI } from '../helpers/stdio.js';

const run = promisify(execFile);

async function fleetdeck(cwd: string, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, FLEETDECK_LOG_LEVEL: 'warn' } });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('fleetdeck init', () => {
  let tmp: { dir: string; cleanup: () => void };
  let repo: string;
  let db: string;
  beforeEach(() => {
    tmp = tempDir();
    repo = join(tmp.dir, 'repo');
    mkdirSync(join(repo, 'sub'), { recursive: true });
    execFileSync('git', ['init', '-q', repo]);
    db = join(tmp.dir, 'data', 'fleet.db');
    mkdirSync(join(tmp.dir, 'data'));
  });
  afterEach(() => tmp.cleanup());

  it('writes .mcp.json at the git top-level with this CLI and the fleet database, and the entry serves', async () => {
    writeFileSync(join(repo, '.mcp.json'), JSON.stringify({ mcpServers: { other: { command: 'x', args: [] } }, extra: true }));
    const first = await fleetdeck(join(repo, 'sub'), 'init', '--db', db, '--json');
    expect(first.code).toBe(0);
    const out = JSON.parse(first.stdout) as { file: string; written: boolean; claude_command: string };
    expect(out.file).toBe(join(repo, '.mcp.json'));
    expect(out.written).toBe(true);
    expect(out.claude_command).toBe(`claude mcp add fleetdeck -- node ${CLI} serve --db ${db}`);
    const doc = JSON.parse(readFileSync(join(repo, '.mcp.json'), 'utf8')) as { extra: boolean; mcpServers: Record<string, { command: string; args: string[] }> };
    expect(doc.extra).toBe(true);
    expect(doc.mcpServers.other).toEqual({ command: 'x', args: [] });
    expect(doc.mcpServers.fleetdeck).toEqual({ command: 'node', args: [CLI, 'serve', '--db', db] });

    // what a coding assistant would start from that file joins this fleet
    const entry = doc.mcpServers.fleetdeck!;
    const transport = new StdioClientTransport({ command: process.execPath, args: entry.args, cwd: repo, env: { FLEETDECK_LOG_LEVEL: 'warn' } });
    const client = new Client({ name: 'init-test', version: '0' });
    await client.connect(transport);
    const reg = (await client.callTool({ name: 'register_agent', arguments: { name: 'claude', role: 'implementer' } })) as unknown as { structuredContent: { agent_id: string } };
    expect(reg.structuredContent.agent_id).toMatch(/^agt_/);
    await client.close();
    const stats = JSON.parse((await fleetdeck(repo, 'stats', '--json', '--db', db)).stdout) as { events: { by_type: Record<string, number> } };
    expect(stats.events.by_type['agent.registered']).toBe(1);

    const again = await fleetdeck(repo, 'init', '--db', db, '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ written: false });
  });

  it('refuses to replace a different entry without --force, and writes an HTTP entry without the secret', async () => {
    expect((await fleetdeck(repo, 'init', '--db', db)).code).toBe(0);
    const clash = await fleetdeck(repo, 'init', '--db', join(tmp.dir, 'other.db'));
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toMatch(/already has a different 'fleetdeck' server/);
    expect(clash.stderr).toMatch(/--force/);
    const forced = await fleetdeck(repo, 'init', '--db', join(tmp.dir, 'other.db'), '--force', '--json');
    expect(forced.code).toBe(0);

    const http = await fleetdeck(repo, 'init', '--http', 'http://fleet.internal:8765/mcp', '--name', 'team');
    expect(http.code).toBe(0);
    expect(http.stdout.trim()).toBe('claude mcp add --transport http team http://fleet.internal:8765/mcp --header "Authorization: Bearer $FLEETDECK_TOKEN"');
    const doc = JSON.parse(readFileSync(join(repo, '.mcp.json'), 'utf8')) as { mcpServers: Record<string, unknown> };
    expect(doc.mcpServers.team).toEqual({ type: 'http', url: 'http://fleet.internal:8765/mcp', headers: { Authorization: 'Bearer ${FLEETDECK_TOKEN}' } });
    expect(Object.keys(doc.mcpServers).sort()).toEqual(['fleetdeck', 'team']);
  });
});

describe('fleetdeck doctor', () => {
  let tmp: { dir: string; cleanup: () => void };
  let db: string;
  beforeEach(() => {
    tmp = tempDir();
    db = join(tmp.dir, 'data', 'fleet.db');
  });
  afterEach(() => tmp.cleanup());

  type Report = { ok: boolean; checks: { name: string; status: string; detail: string }[] };
  const status = (r: Report, name: string) => r.checks.find((c) => c.name === name)?.status;

  it('fails without a database and does not create one', async () => {
    const res = await fleetdeck(tmp.dir, 'doctor', '--json', '--db', db);
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as Report;
    expect(report.ok).toBe(false);
    expect(status(report, 'data directory')).toBe('fail');
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('passes on a healthy fleet, then names a broken audit chain and a readable token file', async () => {
    mkdirSync(join(tmp.dir, 'data'), { mode: 0o700 }); // --db names a file in an existing directory (only the default data directory is created)
    // a registered agent leaves a token in the vault
    expect((await fleetdeck(tmp.dir, 'token', 'create', '--agent', 'alice', '--role', 'implementer', '--db', db)).code).toBe(0);
    const healthy = await fleetdeck(tmp.dir, 'doctor', '--json', '--db', db);
    const report = JSON.parse(healthy.stdout) as Report;
    expect(healthy.code, healthy.stdout).toBe(0);
    expect(report.checks.map((c) => c.name)).toEqual(['versions', 'data directory', 'database', 'schema', 'audit chain', 'token vault', '.mcp.json']);
    for (const name of ['versions', 'data directory', 'database', 'schema', 'audit chain', 'token vault']) expect(status(report, name), name).toBe('ok');
    expect(report.checks.find((c) => c.name === 'versions')!.detail).toContain(`node ${process.versions.node}`);

    const vault = join(tmp.dir, 'data', 'tokens');
    chmodSync(join(vault, readdirSync(vault)[0]!), 0o644);
    const leaky = JSON.parse((await fleetdeck(tmp.dir, 'doctor', '--json', '--db', db)).stdout) as Report;
    expect(status(leaky, 'token vault')).toBe('fail');

    // tamper with the first event behind the append-only trigger's back
    const raw = new Database(db);
    raw.exec("DROP TRIGGER events_refuse_update; UPDATE events SET payload = '{\"name\":\"mallory\"}' WHERE seq = 1");
    raw.close();
    const broken = await fleetdeck(tmp.dir, 'doctor', '--db', db);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/FAIL\s+audit chain\s+broken at seq 1/);
  });
});
