/**
 * End-to-end scenarios of issue 5 over stdio: every actor is its own `node dist/cli.js serve`
 * process on one SQLite file (agents bound with --agent, the operator with --operator), talking
 * through the real SDK client; the operator CLI is spawned too. Processes share only the file.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { CLI, REPO_ROOT, spawnServer, type StdioClient, type ToolResult } from '../helpers/stdio.js';

const run = promisify(execFile);

interface Signal {
  kind: string;
  run_id: string | null;
  subject_id: string | null;
  message: string;
  payload: Record<string, unknown>;
}
const signals = (r: { signals?: unknown } | Record<string, unknown>, kind: string) => ((r.signals ?? []) as Signal[]).filter((s) => s.kind === kind);
const code = (r: ToolResult) => (r.structuredContent.error as { code?: string } | undefined)?.code;
const details = (r: ToolResult) => (r.structuredContent.error as { details?: Record<string, unknown> }).details ?? {};

/** Runs the fleetdeck CLI as the operator of this OS user against the same database. */
async function cli(db: string, args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [CLI, ...args, '--json', '--db', db], { cwd: REPO_ROOT, env: { ...process.env, FLEETDECK_LOG_LEVEL: 'warn' } });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('issue 5 scenarios over stdio, one process per actor', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let op: StdioClient;
  let impl: StdioClient;
  let rev1: StdioClient;
  let rev2: StdioClient;
  let implId: string;
  let rev1Id: string;
  let rev2Id: string;

  beforeAll(async () => {
    tmp = tempDir('fleetdeck-scenarios-');
    db = join(tmp.dir, 'fleet.db');
    // start the first process alone: it creates and migrates the file
    op = await spawnServer({ db, args: ['--operator'] });
    [impl, rev1, rev2] = await Promise.all([
      spawnServer({ db, args: ['--agent', 'impl', '--role', 'implementer'] }),
      spawnServer({ db, args: ['--agent', 'rev-1', '--role', 'reviewer'] }),
      spawnServer({ db, args: ['--agent', 'rev-2', '--role', 'reviewer'] }),
    ]);
    const id = async (c: StdioClient) => ((await c.ok<{ agent: { agent_id: string } }>('whoami')).agent.agent_id);
    [implId, rev1Id, rev2Id] = await Promise.all([id(impl), id(rev1), id(rev2)]);
  });
  afterAll(async () => {
    await Promise.all([op, impl, rev1, rev2].map((c) => c?.close()));
    tmp.cleanup();
  });

  it('implement → handoff → review → result: the reviewer takes over the run and its claims; the implementer’s late writes are fenced off', async () => {
    const submitted = await op.ok<{ run_id: string }>('submit_task', { title: 'add rate limiting', instructions: 'limit /login to 5/min', to_role: 'implementer', type: 'implement' });
    const taken = await impl.ok<{ run: { run_id: string }; lease_epoch: number }>('take_task');
    expect(taken.run.run_id).toBe(submitted.run_id);
    const runId = submitted.run_id;
    const claim = await impl.ok<{ granted: boolean; claims: { claim_id: string }[] }>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/auth/**' }], run_id: runId });
    expect(claim.granted).toBe(true);
    const patch = await impl.ok<{ artifact_id: string }>('attach_evidence', { run_id: runId, kind: 'patch', content: '+ rateLimit(5)', name: 'login.patch', lease_epoch: taken.lease_epoch });
    const offered = await impl.ok<{ handoff_id: string; notified: number }>('handoff', {
      run_id: runId,
      to_role: 'reviewer',
      summary: 'Rate limiting on /login with a token bucket; tests pass.',
      next_action: 'Review the bucket refill logic in src/auth/limit.ts.',
      changed_files: ['src/auth/limit.ts'],
      evidence: [patch.artifact_id],
      failed_attempts: [{ approach: 'express-rate-limit', result: 'no per-user keys' }],
      risks: ['clock skew between replicas'],
      lease_epoch: taken.lease_epoch,
    });
    expect(offered.notified).toBe(2);

    // the reviewer learns of it in another process, reads it, takes it
    const listed = await rev1.ok<{ handoffs: { handoff_id: string }[]; signals?: Signal[] }>('list_handoffs');
    expect(listed.handoffs.map((h) => h.handoff_id)).toContain(offered.handoff_id);
    expect(signals(listed, 'handoff_offered').map((s) => s.subject_id)).toContain(offered.handoff_id);
    const md = ((await rev1.client.readResource({ uri: `fleet://handoffs/${offered.handoff_id}` })).contents[0] as { text: string }).text;
    expect(md).toContain('Review the bucket refill logic');
    expect(md).toContain(`fleet://artifacts/${patch.artifact_id}`);
    const accepted = await rev1.ok<{ run: { owner_id: string; lease_epoch: number }; claims: string[] }>('accept_handoff', { handoff_id: offered.handoff_id });
    expect(accepted.run).toMatchObject({ owner_id: rev1Id, lease_epoch: taken.lease_epoch + 1 });
    expect(accepted.claims).toEqual([claim.claims[0]!.claim_id]);

    const late = await impl.call('submit_result', { run_id: runId, outcome: 'completed', summary: 'me too', lease_epoch: taken.lease_epoch });
    expect(code(late)).toBe('LEASE_LOST');
    expect(signals(late.structuredContent, 'handoff_accepted')).toHaveLength(1);

    const review = await rev1.ok<{ artifact_id: string }>('attach_evidence', { run_id: runId, kind: 'report', content: 'LGTM', lease_epoch: accepted.run.lease_epoch });
    const done = await rev1.ok<{ run: { state: string; result: { by: string } } }>('submit_result', {
      run_id: runId,
      outcome: 'completed',
      summary: 'reviewed; merged',
      evidence: [review.artifact_id],
      lease_epoch: accepted.run.lease_epoch,
    });
    expect(done.run).toMatchObject({ state: 'completed', result: { by: rev1Id } });
    const detail = JSON.parse(((await op.client.readResource({ uri: `fleet://runs/${runId}` })).contents[0] as { text: string }).text) as {
      handoffs: { handoff_id: string; state: string }[];
      claims: unknown[];
    };
    expect(detail.handoffs).toEqual([expect.objectContaining({ handoff_id: offered.handoff_id, state: 'accepted' })]);
    expect(detail.claims).toEqual([]); // released with the result

    // the operator CLI shows the same handoff, as a table row (JSON here) and as Markdown
    const all = await cli(db, ['handoffs', '--all']);
    expect((all.handoffs as { handoff_id: string; state: string }[]).find((h) => h.handoff_id === offered.handoff_id)?.state).toBe('accepted');
    const shown = await cli(db, ['handoff', offered.handoff_id]);
    expect(shown.markdown).toContain(`**accepted** by rev-1 (\`${rev1Id}\`)`);
    const triage = await cli(db, ['triage']);
    expect(triage).toMatchObject({ blockers: [], open_handoffs: 0 });
  });

  it('a role handoff accepted by two reviewers in two processes at once: exactly one wins', async () => {
    for (let round = 0; round < 3; round++) {
      const started = await impl.ok<{ run_id: string }>('start_run', { title: `race ${round}` });
      const { handoff_id } = await impl.ok<{ handoff_id: string }>('handoff', { run_id: started.run_id, to_role: 'reviewer', summary: 's', next_action: 'n' });
      const [a, b] = await Promise.all([rev1.call('accept_handoff', { handoff_id }), rev2.call('accept_handoff', { handoff_id })]);
      const wins = [a, b].filter((r) => !r.isError);
      expect(wins).toHaveLength(1);
      expect(code([a, b].find((r) => r.isError)!)).toBe('INVALID_STATE');
      const winner = a.isError ? rev2Id : rev1Id;
      const loser = a.isError ? rev1 : rev2;
      const state = await op.ok<{ run: { owner_id: string; state: string } }>('get_run', { run_id: started.run_id });
      expect(state.run).toMatchObject({ owner_id: winner, state: 'leased' });
      await (a.isError ? rev2 : rev1).ok('submit_result', { run_id: started.run_id, outcome: 'completed', summary: 'ok' });
      expect(code(await loser.call('submit_result', { run_id: started.run_id, outcome: 'completed', summary: 'ok' }))).not.toBeUndefined();
    }
  });

  it('blocker → operator decision (CLI and tool) → the waiting agent wakes in its own process and resumes', async () => {
    const started = await impl.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'choose a cache' });
    const raised = await impl.ok<{ blocker_id: string }>('raise_blocker', {
      run_id: started.run_id,
      kind: 'decision',
      question: 'Redis or in-process LRU?',
      options: ['redis', 'lru'],
      lease_epoch: started.lease_epoch,
    });
    const first = await impl.ok<{ seq: number; blocker: { state: string } }>('await_update', { blocker_id: raised.blocker_id, timeout_seconds: 0 });
    expect(first.blocker.state).toBe('open');
    const waiting = impl.ok<{ changed: boolean; blocker: { state: string; chosen_option: string }; next: string; signals?: Signal[] }>('await_update', {
      blocker_id: raised.blocker_id,
      timeout_seconds: 60,
      since_seq: first.seq,
    });
    const listed = await cli(db, ['blockers']);
    expect((listed.blockers as { blocker_id: string }[]).map((b) => b.blocker_id)).toContain(raised.blocker_id);
    const decided = await cli(db, ['answer', raised.blocker_id, '--option', 'lru']);
    expect(decided).toMatchObject({ effect: 'returned_to_owner', blocker: { decision: 'answer', chosen_option: 'lru' } });
    const woke = await waiting;
    expect(woke).toMatchObject({ changed: true, blocker: { state: 'resolved', chosen_option: 'lru' } });
    expect(woke.next).toContain('lru');
    expect(signals(woke, 'blocker_resolved')[0]?.payload).toMatchObject({ decision: 'answer', option: 'lru' });

    // a second question, approved through the operator's MCP session
    const second = await impl.ok<{ blocker_id: string }>('raise_blocker', { run_id: started.run_id, kind: 'approval', question: 'May I add a dependency?' });
    const approved = await op.ok<{ effect: string }>('resolve_blocker', { blocker_id: second.blocker_id, decision: 'approve', text: 'yes' });
    expect(approved.effect).toBe('returned_to_owner');
    const done = await impl.ok<{ run: { state: string }; signals?: Signal[] }>('submit_result', { run_id: started.run_id, outcome: 'completed', summary: 'LRU cache added', lease_epoch: started.lease_epoch });
    expect(done.run.state).toBe('completed');
    expect(signals(done, 'blocker_resolved').map((s) => s.payload.decision)).toEqual(['approve']);
  });

  it('cancel during work: the operator cancels, the agent is told, and its late writes change nothing', async () => {
    const started = await rev2.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'long refactor' });
    await rev2.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/legacy/**' }], run_id: started.run_id });
    await op.ok('cancel_run', { run_id: started.run_id, reason: 'superseded' });
    const evidence = await rev2.call('attach_evidence', { run_id: started.run_id, kind: 'log', content: 'still working', lease_epoch: started.lease_epoch });
    expect(evidence.isError).toBe(true);
    expect(signals(evidence.structuredContent, 'cancel')[0]?.message).toContain('superseded');
    const result = await rev2.call('submit_result', { run_id: started.run_id, outcome: 'completed', summary: 'done anyway', lease_epoch: started.lease_epoch });
    expect(result.isError).toBe(true);
    const view = await op.ok<{ run: { state: string; result: unknown } }>('get_run', { run_id: started.run_id });
    expect(view.run).toMatchObject({ state: 'cancelled', result: null });
    const artifacts = await op.ok<{ evidence: unknown[] }>('get_run', { run_id: started.run_id });
    expect(artifacts.evidence).toEqual([]);
  });

  it('pause and resume: a paused agent gets nothing from take_task and is told why; after resume it takes the queued run', async () => {
    const paused = await cli(db, ['pause', implId, '--reason', 'release freeze']);
    expect(paused).toMatchObject({ changed: true, agent: { paused: true } });
    const queued = await op.ok<{ run_id: string }>('submit_task', { title: 'after the freeze', instructions: 'x', to_agent: implId });
    const take = await impl.ok<{ run: unknown; reason: string; next: string; signals?: Signal[] }>('take_task');
    expect(take).toMatchObject({ run: null, reason: 'paused' });
    expect(take.next).toMatch(/paused by the operator/);
    expect(signals(take, 'pause')[0]?.message).toContain('release freeze');
    await op.ok('resume_agent', { agent_id: implId });
    const again = await impl.ok<{ run: { run_id: string } | null; signals?: Signal[] }>('take_task');
    expect(again.run?.run_id).toBe(queued.run_id);
    expect(signals(again, 'resume')).toHaveLength(1);
  });
});

describe('each policy rule firing, over stdio', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let op: StdioClient;
  let agent: StdioClient;

  beforeAll(async () => {
    tmp = tempDir('fleetdeck-policy-');
    db = join(tmp.dir, 'fleet.db');
    writeFileSync(
      join(tmp.dir, 'policy.json'),
      JSON.stringify({ claims_need_approval: [{ pattern: 'infra/**' }], types_need_approval_before_complete: ['deploy'], max_leased_runs_per_agent: 2 }),
    );
    op = await spawnServer({ db, args: ['--operator'] });
    agent = await spawnServer({ db, args: ['--agent', 'deployer', '--role', 'ops'] });
  });
  afterAll(async () => {
    await Promise.all([op?.close(), agent?.close()]);
    tmp.cleanup();
  });

  it('claims on infra/** and completing a deploy wait for approval; a third run is refused', async () => {
    const check = await cli(db, ['policy', 'check']);
    expect(check).toMatchObject({ state: 'ok', policy: { max_leased_runs_per_agent: 2 } });

    const deploy = await agent.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'deploy v5', type: 'deploy' });
    const claim = await agent.call('claim_scope', { scopes: [{ kind: 'path', pattern: 'infra/k8s/**' }], run_id: deploy.run_id });
    expect(code(claim)).toBe('FORBIDDEN');
    const claimBlocker = String(details(claim).blocker_id);
    await cli(db, ['approve', claimBlocker, '--note', 'go']);
    expect((await agent.ok<{ granted: boolean }>('claim_scope', { scopes: [{ kind: 'path', pattern: 'infra/k8s/**' }], run_id: deploy.run_id })).granted).toBe(true);

    const second = await agent.ok<{ run_id: string }>('start_run', { title: 'docs' });
    const third = await agent.call('start_run', { title: 'one too many' });
    expect(code(third)).toBe('INVALID_STATE');
    await agent.ok('submit_result', { run_id: second.run_id, outcome: 'completed', summary: 'docs done' });

    const complete = { run_id: deploy.run_id, outcome: 'completed', summary: 'v5 is live', lease_epoch: deploy.lease_epoch };
    const refused = await agent.call('submit_result', complete);
    expect(code(refused)).toBe('INVALID_STATE');
    const completionBlocker = String(details(refused).blocker_id);
    expect(completionBlocker).not.toBe(claimBlocker);
    const denied = await op.ok<{ effect: string }>('resolve_blocker', { blocker_id: completionBlocker, decision: 'deny', text: 'smoke tests missing' });
    expect(denied.effect).toBe('returned_to_owner');
    const again = await agent.call('submit_result', complete); // denied: a new approval is asked for
    expect(code(again)).toBe('INVALID_STATE');
    await op.ok('resolve_blocker', { blocker_id: String(details(again).blocker_id), decision: 'approve' });
    expect((await agent.ok<{ run: { state: string } }>('submit_result', complete)).run.state).toBe('completed');

    const fired = await op.ok<{ events: { payload: { rule: string } }[] }>('list_events', { types: ['policy.fired'], limit: 20 });
    expect(new Set(fired.events.map((e) => e.payload.rule))).toEqual(new Set(['claims_need_approval', 'max_leased_runs_per_agent', 'types_need_approval_before_complete']));
  });
});
