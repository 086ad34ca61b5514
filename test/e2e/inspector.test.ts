import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_TOOLS, OPERATOR_TOOLS } from '../../src/mcp/tools/index.js';
import type { HttpServerHandle } from '../../src/transports/http.js';
import { openTestApp, tempDir, type TestApp } from '../helpers/app.js';
import { makeToken, startTestHttp } from '../helpers/http.js';
import { CLI, REPO_ROOT } from '../helpers/stdio.js';

/**
 * The MCP Inspector's CLI mode (a devDependency, run from node_modules/.bin, never a global) as a
 * real third-party client of both transports: list tools, call a tool, read a resource.
 */
const INSPECTOR = join(REPO_ROOT, 'node_modules', '.bin', 'mcp-inspector');
const haveInspector = existsSync(INSPECTOR);
if (!haveInspector) console.warn(`skipping the MCP Inspector tests: ${INSPECTOR} is missing (npm ci installs @modelcontextprotocol/inspector)`);

const run = promisify(execFile);

interface InspectorResult {
  code: number;
  json: { result?: Record<string, unknown>; error?: { code: string; message: string } } | null;
  stderr: string;
}

async function inspector(...args: string[]): Promise<InspectorResult> {
  const env = { ...process.env, FLEETDECK_LOG_LEVEL: 'warn', MCP_CATALOG_PATH: join(scratch.dir, 'catalog.json'), MCP_CLIENT_CONFIG_PATH: join(scratch.dir, 'client.json') };
  let stdout: string;
  let stderr: string;
  let code = 0;
  try {
    ({ stdout, stderr } = await run(INSPECTOR, ['--cli', ...args, '--format', 'json'], { cwd: REPO_ROOT, env, timeout: 60_000 }));
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    ({ stdout, stderr } = e);
    code = e.code;
  }
  const text = stdout.trim() || stderr.trim().split('\n').filter((l) => l.startsWith('{"error"')).pop() || '';
  let json: InspectorResult['json'] = null;
  try {
    json = JSON.parse(text) as InspectorResult['json'];
  } catch {
    json = null;
  }
  return { code, json, stderr };
}

const toolNames = (r: InspectorResult) => ((r.json?.result?.tools ?? []) as { name: string }[]).map((t) => t.name);
const scratch = tempDir('fleetdeck-inspector-');

describe.skipIf(!haveInspector)('MCP Inspector CLI against fleetdeck', () => {
  const db = join(scratch.dir, 'fleet.db');
  const stdio = ['node', CLI, 'serve', '--db', db];

  afterAll(() => scratch.cleanup());

  describe('over stdio', () => {
    it('lists the agent tools, calls whoami and register_agent, reads fleet://overview', async () => {
      const list = await inspector(...stdio, '--method', 'tools/list');
      expect(list.code, list.stderr).toBe(0);
      expect(toolNames(list)).toEqual(AGENT_TOOLS.map((t) => t.name));

      const who = await inspector(...stdio, '--method', 'tools/call', '--tool-name', 'whoami');
      expect(who.code, who.stderr).toBe(0);
      expect(who.json?.result?.structuredContent).toMatchObject({ bound: false, kind: 'unbound' });

      const reg = await inspector(...stdio, '--method', 'tools/call', '--tool-name', 'register_agent', '--tool-arg', 'name=inspector', 'role=tester');
      expect(reg.code, reg.stderr).toBe(0);
      expect((reg.json?.result?.structuredContent as { agent_id: string }).agent_id).toMatch(/^agt_/);

      const overview = await inspector(...stdio, '--method', 'resources/read', '--uri', 'fleet://overview');
      expect(overview.code, overview.stderr).toBe(0);
      const contents = overview.json?.result?.contents as { uri: string; mimeType: string; text: string }[];
      expect(contents[0]).toMatchObject({ uri: 'fleet://overview', mimeType: 'application/json' });
      expect((JSON.parse(contents[0]!.text) as { agents: { total: number } }).agents.total).toBe(1);
    });

    it('sees the operator tools only with serve --operator, and reports a tool error with exit code 5', async () => {
      const list = await inspector('node', CLI, 'serve', '--operator', '--db', db, '--method', 'tools/list');
      expect(list.code, list.stderr).toBe(0);
      expect(toolNames(list)).toEqual(expect.arrayContaining(OPERATOR_TOOLS.map((t) => t.name)));
      const bad = await inspector(...stdio, '--method', 'tools/call', '--tool-name', 'heartbeat');
      expect(bad.code).toBe(5); // NOT_REGISTERED is a tool error
    });
  });

  describe('over Streamable HTTP', () => {
    let t: TestApp;
    let http: HttpServerHandle;
    let agentToken: string;
    let operatorToken: string;
    beforeAll(async () => {
      t = await openTestApp();
      http = await startTestHttp(t.app);
      agentToken = await makeToken(t.app, { kind: 'agent', agent: 'remote', role: 'implementer' });
      operatorToken = await makeToken(t.app, { kind: 'operator', label: 'inspector' });
    });
    afterAll(async () => {
      await http.close();
      t.close();
    });

    it('lists tools by token, calls whoami and reads fleet://overview with a bearer header', async () => {
      const asAgent = await inspector(http.url, '--header', `Authorization: Bearer ${agentToken}`, '--method', 'tools/list');
      expect(asAgent.code, asAgent.stderr).toBe(0);
      expect(toolNames(asAgent)).toEqual(AGENT_TOOLS.map((x) => x.name));
      const asOperator = await inspector(http.url, '--header', `Authorization: Bearer ${operatorToken}`, '--method', 'tools/list');
      expect(toolNames(asOperator)).toEqual(expect.arrayContaining(OPERATOR_TOOLS.map((x) => x.name)));

      const who = await inspector(http.url, '--header', `Authorization: Bearer ${agentToken}`, '--method', 'tools/call', '--tool-name', 'whoami');
      expect(who.code, who.stderr).toBe(0);
      expect(who.json?.result?.structuredContent).toMatchObject({ kind: 'agent', agent: { name: 'remote', role: 'implementer' } });

      const overview = await inspector(http.url, '--header', `Authorization: Bearer ${operatorToken}`, '--method', 'resources/read', '--uri', 'fleet://overview');
      expect(overview.code, overview.stderr).toBe(0);
      const contents = overview.json?.result?.contents as { text: string }[];
      expect((JSON.parse(contents[0]!.text) as { agents: { total: number } }).agents.total).toBe(1);
    });

    it('fails without a token (the server answers 401 and the Inspector cannot log in non-interactively)', async () => {
      const anonymous = await inspector(http.url, '--method', 'tools/list');
      expect(anonymous.code).not.toBe(0);
      expect(anonymous.json?.error?.code ?? anonymous.stderr).toMatch(/auth/i);
    });
  });
});
