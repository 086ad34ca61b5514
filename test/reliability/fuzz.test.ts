/**
 * Property-based fuzz of every tool of both toolsets, through a real SDK Client in-process. The
 * tools come from the server's own tools/list, and their arguments from the advertised input
 * schemas (helpers/schema-arbitrary.ts), so a new tool or field is covered without editing this
 * file. For every call that errs: the code is one of the SPEC's (never INTERNAL), and nothing
 * changed — the audit log's head and a checksum of every state table are as before (the checksum
 * is recomputed only when SQLite's data_version says another connection committed).
 *
 * Seeded (FLEETDECK_FUZZ_SEED replays a run); the clock is a ManualClock that never moves, so no
 * lease lapses between calls and an erring call has nothing legitimate to write but its caller's
 * sign of life and signal cursor, which the checksum leaves out.
 */
import { CallToolResultSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, openTestApp, tempDir, type TestApp, type TestClient } from '../helpers/app.js';
import { dataVersion, lastSeq, openFile, stateChecksum, type Db } from './helpers/inspect.js';
import { argumentsFor, type IdPool, type JsonSchema } from './helpers/schema-arbitrary.js';

const SEED = Number(process.env.FLEETDECK_FUZZ_SEED ?? 424_242);
/** calls in all, spread evenly over the tools */
const TOTAL_CALLS = 3_000;
const SPEC_CODES = new Set(['INVALID_INPUT', 'NOT_REGISTERED', 'NOT_FOUND', 'FORBIDDEN', 'LEASE_LOST', 'INVALID_STATE', 'MISSING_EVIDENCE', 'TOO_LARGE', 'BUSY']);
const NON_OBJECT_ARGUMENTS: unknown[] = [[], 42, null, 'a string', true];

type Caller = 'a' | 'b' | 'unbound' | 'operator';

interface State {
  seq: number;
  checksum: string;
}

describe('fuzz: every tool of both toolsets, arbitrary and near-valid arguments', () => {
  let t: TestApp;
  let file: Db;
  const clients = {} as Record<Caller, TestClient>;
  const ids: IdPool = {};
  let paths: string[] = [];
  let agentTools: Tool[] = [];
  let operatorTools: Tool[] = [];
  let cached: { version: number; state: State } | null = null;

  /** the state now, recomputed only when something committed since the last look */
  const state = (): State => {
    const version = dataVersion(file);
    if (cached?.version !== version) cached = { version, state: { seq: lastSeq(file), checksum: stateChecksum(file) } };
    return cached.state;
  };

  let tmp: ReturnType<typeof tempDir>;
  let workspace: string;

  beforeAll(async () => {
    // the agents' workspace must not hold the data directory (a workspace root is bounded)
    tmp = tempDir('fleetdeck-fuzz-');
    workspace = join(tmp.dir, 'workspace');
    mkdirSync(workspace);
    t = await openTestApp({ workspace }, tmp.dir);
    file = openFile(t.config.db, true);
    for (const caller of ['a', 'b', 'unbound'] as const) clients[caller] = await connectClient(t.app, 'agent');
    clients.operator = await connectClient(t.app, 'operator');
    writeFileSync(join(workspace, 'evidence.txt'), 'evidence inside the workspace\n');
    paths = ['evidence.txt', join(workspace, 'evidence.txt'), '/proc/self/environ', '/etc/passwd', '../fleet.db', '/', 'missing.txt', t.config.db];

    // a small fleet with one of each object, so near-valid calls reach the handlers' rules
    const a = await clients.a.ok<{ agent_id: string }>('register_agent', { name: 'fuzz-a', role: 'implementer', workspace });
    const b = await clients.b.ok<{ agent_id: string }>('register_agent', { name: 'fuzz-b', role: 'reviewer', workspace });
    const own = await clients.a.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'fuzz run of a' });
    const claim = await clients.a.ok<{ claims: { claim_id: string }[] }>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }], run_id: own.run_id });
    const art = await clients.a.ok<{ artifact_id: string }>('attach_evidence', { run_id: own.run_id, kind: 'log', content: 'hello' });
    const queued = await clients.a.ok<{ run_id: string }>('submit_task', { title: 'for the reviewer', instructions: 'review', to_role: 'reviewer' });
    await clients.a.ok('submit_task', { title: 'left in the queue', instructions: 'wait', to_role: 'implementer' });
    const taken = await clients.b.ok<{ run: { run_id: string } }>('take_task', {});
    const blocker = await clients.b.ok<{ blocker_id: string }>('raise_blocker', { run_id: taken.run.run_id, kind: 'decision', question: 'which way?' });
    const bRun = await clients.b.ok<{ run_id: string }>('start_run', { title: 'fuzz run of b' });
    const hof = await clients.b.ok<{ handoff_id: string }>('handoff', { run_id: bRun.run_id, to_agent: a.agent_id, summary: 'half', next_action: 'finish' });
    Object.assign(ids, {
      agt: [a.agent_id, b.agent_id],
      run: [own.run_id, queued.run_id, bRun.run_id],
      clm: claim.claims.map((c) => c.claim_id),
      art: [art.artifact_id],
      blk: [blocker.blocker_id],
      hof: [hof.handoff_id],
    });
    // every client has made a call, so its sign of life is written and later errors write nothing
    for (const c of Object.values(clients)) await c.call('fleet_status');
    agentTools = (await clients.a.client.listTools()).tools;
    operatorTools = (await clients.operator.client.listTools()).tools;
  });

  afterAll(async () => {
    for (const c of Object.values(clients)) await c.close();
    file?.close();
    t?.close();
    tmp?.cleanup();
  });

  /** long polls would stall the run: a wait that is valid or absent becomes 0 */
  const tame = (tool: string, args: Record<string, unknown>): Record<string, unknown> => {
    const field = tool === 'await_update' ? 'timeout_seconds' : tool === 'take_task' ? 'wait_seconds' : null;
    if (!field) return args;
    const value = args[field];
    return value === undefined || (typeof value === 'number' && value > 0 && value <= 110) ? { ...args, [field]: 0 } : args;
  };

  /** one call, judged; returns a failure description or null */
  const judge = async (caller: Caller, tool: string, args: unknown, raw: boolean): Promise<{ failure: string | null; code: string }> => {
    const before = state();
    let result: CallToolResult;
    try {
      result = raw
        ? ((await clients[caller].client.request({ method: 'tools/call', params: { name: tool, arguments: args as Record<string, unknown> } }, CallToolResultSchema)) as CallToolResult)
        : ((await clients[caller].client.callTool({ name: tool, arguments: args as Record<string, unknown> })) as CallToolResult);
    } catch (error) {
      return { failure: `protocol error instead of a tool result: ${(error as Error).message.slice(0, 200)}`, code: 'protocol-error' };
    }
    if (!result.isError) return { failure: raw ? 'non-object arguments were accepted' : null, code: 'ok' };
    const code = (result.structuredContent as { error?: { code?: string } } | undefined)?.error?.code ?? '(none)';
    if (!SPEC_CODES.has(code)) return { failure: `error code ${code}: ${JSON.stringify(result.structuredContent).slice(0, 300)}`, code };
    const after = state();
    if (after.seq !== before.seq) return { failure: `${code} error appended ${after.seq - before.seq} audit event(s)`, code };
    if (after.checksum !== before.checksum) return { failure: `${code} error changed the stored state`, code };
    return { failure: null, code };
  };

  const describeArgs = (args: unknown) => {
    const text = JSON.stringify(args, (_k, v: unknown) => (typeof v === 'string' && v.length > 80 ? `${v.slice(0, 40)}…(${v.length} chars)` : v));
    return text.length > 400 ? `${text.slice(0, 400)}…` : text;
  };

  it('the change detector sees a commit, and sees none when a call errs (the instrument works)', async () => {
    const before = state();
    await clients.a.ok('heartbeat', { note: 'instrument check' });
    const after = state();
    expect(after.seq).toBe(before.seq + 1);
    expect(after.checksum).not.toBe(before.checksum);
    const refused = await clients.a.call('get_run', { run_id: 'run_doesnotexist' });
    expect(refused.isError).toBe(true);
    expect(state()).toEqual(after);
  });

  it('every error carries a SPEC code and changes nothing', async () => {
    const operatorOnly = operatorTools.filter((tool) => !agentTools.some((x) => x.name === tool.name));
    const targets: { tool: Tool; callers: Caller[] }[] = [
      ...agentTools.map((tool) => ({ tool, callers: ['a', 'b', 'unbound', 'operator'] as Caller[] })),
      // agents do not even see these: calling them anyway must be a clean refusal too
      ...operatorOnly.map((tool) => ({ tool, callers: ['operator', 'operator', 'a'] as Caller[] })),
    ];
    expect(agentTools.length).toBeGreaterThan(10);
    expect(operatorOnly.length).toBeGreaterThan(3);
    const perTool = Math.ceil(TOTAL_CALLS / targets.length);
    const failures = new Map<string, { count: number; example: string }>();
    const codes = new Map<string, number>();
    let calls = 0;
    for (const [i, { tool, callers }] of targets.entries()) {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...callers), argumentsFor(tool.inputSchema as JsonSchema, ids, paths), async (caller, generated) => {
          const args = tame(tool.name, generated);
          const { failure, code } = await judge(caller, tool.name, args, false);
          calls++;
          codes.set(code, (codes.get(code) ?? 0) + 1);
          if (failure) {
            const key = `${tool.name}: ${failure.replace(/\d+/g, 'N').slice(0, 120)}`;
            const seen = failures.get(key);
            if (seen) seen.count++;
            else failures.set(key, { count: 1, example: `${caller} ${tool.name} ${describeArgs(args)} → ${failure}` });
          }
        }),
        { seed: SEED + i, numRuns: perTool },
      );
    }
    console.log(`fuzz seed ${SEED}: ${calls} calls over ${targets.length} tools (${agentTools.length} agent, ${operatorOnly.length} operator-only); outcomes ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
    const report = [...failures].map(([key, f]) => `${key} ×${f.count}\n    e.g. ${f.example}`);
    if (report.length > 0) console.log(`fuzz failures:\n${report.join('\n')}`);
    expect(calls).toBeGreaterThanOrEqual(TOTAL_CALLS);
    expect(codes.get('ok') ?? 0).toBeGreaterThan(0); // the generator does reach the handlers
    expect(report).toEqual([]);
  }, 120_000);

  it('non-object arguments ([], 42, null, a string, true) answer INVALID_INPUT and change nothing', async () => {
    const failures: string[] = [];
    let calls = 0;
    for (const tool of operatorTools) {
      for (const value of NON_OBJECT_ARGUMENTS) {
        const { failure, code } = await judge('operator', tool.name, value, true);
        calls++;
        if (failure) failures.push(`${tool.name} ${JSON.stringify(value)} → ${failure}`);
        else if (code !== 'INVALID_INPUT') failures.push(`${tool.name} ${JSON.stringify(value)} → ${code}, not INVALID_INPUT`);
      }
    }
    console.log(`fuzz: ${calls} raw calls with non-object arguments, ${failures.length} wrong`);
    expect(failures.slice(0, 10)).toEqual([]);
  }, 60_000);
});
