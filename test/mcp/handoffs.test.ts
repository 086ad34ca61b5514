import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, errorCode, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';

interface Signal {
  kind: string;
  run_id: string | null;
  subject_id: string | null;
  message: string;
  payload: Record<string, unknown>;
}
interface HandoffOut {
  handoff_id: string;
  state: string;
  from_agent_id: string;
  to_agent_id: string | null;
  to_role: string | null;
  decided_by: string | null;
  reason: string | null;
  evidence: string[];
  failed_attempts: { approach: string; result: string }[];
}
interface RunBrief {
  run_id: string;
  state: string;
  owner_id: string | null;
  lease_epoch: number;
}
interface Decision {
  handoff: HandoffOut;
  run: RunBrief;
  claims: string[];
  signals?: Signal[];
}

const signalsOf = (result: { signals?: Signal[] }, kind: string) => (result.signals ?? []).filter((s) => s.kind === kind);

async function register(c: TestClient, name: string, role: string): Promise<string> {
  return (await c.ok<{ agent_id: string }>('register_agent', { name, role })).agent_id;
}

describe('handoffs over MCP', () => {
  let t: TestApp;
  let impl: TestClient;
  let rev1: TestClient;
  let rev2: TestClient;
  let op: TestClient;
  let implId: string;
  let rev1Id: string;
  let rev2Id: string;

  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    impl = await connectClient(t.app);
    rev1 = await connectClient(t.app);
    rev2 = await connectClient(t.app);
    op = await connectClient(t.app, 'operator');
    implId = await register(impl, 'impl', 'implementer');
    rev1Id = await register(rev1, 'rev-1', 'reviewer');
    rev2Id = await register(rev2, 'rev-2', 'reviewer');
  });
  afterEach(async () => {
    for (const c of [impl, rev1, rev2, op]) await c.close();
    t.close();
  });

  /** A run leased to the implementer, with a claim and an evidence artifact. */
  async function startedRun(): Promise<{ runId: string; epoch: number; artifactId: string; claimId: string }> {
    const started = await impl.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'implement the users API', type: 'implement' });
    const claim = await impl.ok<{ granted: boolean; claims: { claim_id: string }[] }>('claim_scope', {
      scopes: [{ kind: 'path', pattern: 'src/api/**' }],
      run_id: started.run_id,
    });
    expect(claim.granted).toBe(true);
    const art = await impl.ok<{ artifact_id: string }>('attach_evidence', { run_id: started.run_id, kind: 'patch', content: 'diff --git a/src/api/users.ts', name: 'users.patch' });
    return { runId: started.run_id, epoch: started.lease_epoch, artifactId: art.artifact_id, claimId: claim.claims[0]!.claim_id };
  }

  it('implement → handoff to a role → review: the run, a new lease epoch and the claims move in one step; the offerer is fenced off', async () => {
    const { runId, epoch, artifactId, claimId } = await startedRun();
    const offered = await impl.ok<{ handoff_id: string; state: string; run: RunBrief; notified: number; next: string }>('handoff', {
      run_id: runId,
      to_role: 'reviewer',
      summary: 'Users API implemented; unit tests pass.',
      next_action: 'Review src/api/users.ts, especially the pagination.',
      changed_files: ['src/api/users.ts', 'test/api/users.test.ts'],
      evidence: [artifactId],
      failed_attempts: [{ approach: 'cursor pagination with offsets', result: 'duplicates under concurrent inserts' }],
      risks: ['the migration is not reversible'],
      open_questions: ['should deleted users be listed?'],
      lease_epoch: epoch,
    });
    expect(offered).toMatchObject({ state: 'offered', run: { state: 'handoff_pending', owner_id: implId }, notified: 2 });
    expect(offered.next).toMatch(/await_update/);

    // both reviewers learn of it on their next result, and can find it
    const seen = await rev1.ok<{ handoffs: HandoffOut[]; signals?: Signal[] }>('list_handoffs');
    expect(seen.handoffs.map((h) => h.handoff_id)).toEqual([offered.handoff_id]);
    expect(signalsOf(seen, 'handoff_offered')[0]).toMatchObject({ subject_id: offered.handoff_id, run_id: runId });

    // the Markdown view reads at a glance, with evidence links
    const md = await rev1.client.readResource({ uri: `fleet://handoffs/${offered.handoff_id}` });
    const content = md.contents[0] as { text: string; mimeType: string };
    expect(content.mimeType).toBe('text/markdown');
    expect(content.text).toContain('## Next action');
    expect(content.text).toContain('Review src/api/users.ts');
    expect(content.text).toContain(`(fleet://artifacts/${artifactId})`);
    expect(content.text).toContain('| cursor pagination with offsets | duplicates under concurrent inserts |');
    expect(content.text).toContain('the migration is not reversible');

    // the offerer still owns the run but cannot finish it while the handoff is pending
    const early = await impl.call('submit_result', { run_id: runId, outcome: 'completed', summary: 'done' });
    expect(errorCode(early)).toBe('INVALID_STATE');

    const accepted = await rev1.ok<Decision>('accept_handoff', { handoff_id: offered.handoff_id });
    expect(accepted.run).toMatchObject({ state: 'leased', owner_id: rev1Id, lease_epoch: epoch + 1 });
    expect(accepted.handoff).toMatchObject({ state: 'accepted', decided_by: rev1Id });
    expect(accepted.claims).toEqual([claimId]);
    const claims = await rev1.ok<{ claims: { claim_id: string }[] }>('whoami');
    expect(claims.claims.map((c) => c.claim_id)).toEqual([claimId]);

    // the offerer learns it on its next call, and its late writes change nothing
    const late = await impl.call('attach_evidence', { run_id: runId, kind: 'log', content: 'late' });
    expect(errorCode(late)).toBe('LEASE_LOST');
    expect(signalsOf(late.structuredContent as { signals?: Signal[] }, 'handoff_accepted')[0]?.payload).toMatchObject({ accepted_by: rev1Id });

    const done = await rev1.ok<{ run: { state: string } }>('submit_result', { run_id: runId, outcome: 'completed', summary: 'reviewed and merged', lease_epoch: epoch + 1 });
    expect(done.run.state).toBe('completed');

    const run = JSON.parse(((await op.client.readResource({ uri: `fleet://runs/${runId}` })).contents[0] as { text: string }).text) as {
      handoffs: { handoff_id: string; state: string }[];
    };
    expect(run.handoffs).toEqual([expect.objectContaining({ handoff_id: offered.handoff_id, state: 'accepted' })]);
  });

  it('a role handoff accepted by two reviewers at once has exactly one winner', async () => {
    const { runId } = await startedRun();
    const { handoff_id } = await impl.ok<{ handoff_id: string }>('handoff', { run_id: runId, to_role: 'reviewer', summary: 's', next_action: 'n' });
    const [a, b] = await Promise.all([rev1.call('accept_handoff', { handoff_id }), rev2.call('accept_handoff', { handoff_id })]);
    const outcomes = [a, b].map((r) => (r.isError ? errorCode(r) : 'ok')).sort();
    expect(outcomes).toEqual(['INVALID_STATE', 'ok']);
    const winner = a.isError ? rev2Id : rev1Id;
    const loser = a.isError ? a : b;
    expect((loser.structuredContent.error as { message: string }).message).toContain(`accepted by ${winner}`);
    const got = await op.ok<{ run: { owner_id: string; state: string } }>('get_run', { run_id: runId });
    expect(got.run).toMatchObject({ owner_id: winner, state: 'leased' });
  });

  it('decline returns the run to the offerer with the reason; only the named target may answer', async () => {
    const { runId, epoch } = await startedRun();
    const { handoff_id } = await impl.ok<{ handoff_id: string }>('handoff', { run_id: runId, to_agent: rev2Id, summary: 's', next_action: 'n' });
    const wrong = await rev1.call('accept_handoff', { handoff_id });
    expect(errorCode(wrong)).toBe('FORBIDDEN');
    const own = await impl.call('accept_handoff', { handoff_id });
    expect(errorCode(own)).toBe('FORBIDDEN');
    const declined = await rev2.ok<Decision>('decline_handoff', { handoff_id, reason: 'I am on another review' });
    expect(declined.handoff).toMatchObject({ state: 'declined', reason: 'I am on another review' });
    expect(declined.run).toMatchObject({ state: 'leased', owner_id: implId, lease_epoch: epoch });
    const next = await impl.ok<{ signals?: Signal[] }>('whoami');
    expect(signalsOf(next, 'handoff_declined')[0]?.payload).toMatchObject({ reason: 'I am on another review', declined_by: rev2Id });
    // the run is the implementer's again: it can finish it
    await impl.ok('submit_result', { run_id: runId, outcome: 'completed', summary: 'did it myself', lease_epoch: epoch });
  });

  it('the offerer withdraws; the target is told and can no longer accept; one open handoff per run', async () => {
    const { runId } = await startedRun();
    const { handoff_id } = await impl.ok<{ handoff_id: string }>('handoff', { run_id: runId, to_agent: rev1Id, summary: 's', next_action: 'n' });
    const second = await impl.call('handoff', { run_id: runId, to_role: 'reviewer', summary: 's', next_action: 'n' });
    expect(errorCode(second)).toBe('INVALID_STATE');
    const notMine = await rev1.call('withdraw_handoff', { handoff_id });
    expect(errorCode(notMine)).toBe('FORBIDDEN');
    const withdrawn = await impl.ok<Decision>('withdraw_handoff', { handoff_id, reason: 'found a bug' });
    expect(withdrawn.run).toMatchObject({ state: 'leased', owner_id: implId });
    const tooLate = await rev1.call('accept_handoff', { handoff_id });
    expect(errorCode(tooLate)).toBe('INVALID_STATE');
    expect(signalsOf(tooLate.structuredContent as { signals?: Signal[] }, 'handoff_withdrawn')).toHaveLength(1);
  });

  it('refuses bad handoffs: both or neither target, evidence of another run, a run the caller does not hold', async () => {
    const { runId } = await startedRun();
    expect(errorCode(await impl.call('handoff', { run_id: runId, summary: 's', next_action: 'n' }))).toBe('INVALID_INPUT');
    expect(errorCode(await impl.call('handoff', { run_id: runId, to_role: 'reviewer', to_agent: rev1Id, summary: 's', next_action: 'n' }))).toBe('INVALID_INPUT');
    expect(errorCode(await impl.call('handoff', { run_id: runId, to_role: 'reviewer', summary: '', next_action: 'n' }))).toBe('INVALID_INPUT');
    const other = await rev1.ok<{ run_id: string }>('start_run', { title: 'other' });
    const foreign = await rev1.ok<{ artifact_id: string }>('attach_evidence', { run_id: other.run_id, kind: 'log', content: 'x' });
    expect(errorCode(await impl.call('handoff', { run_id: runId, to_role: 'reviewer', summary: 's', next_action: 'n', evidence: [foreign.artifact_id] }))).toBe('INVALID_INPUT');
    expect(errorCode(await rev1.call('handoff', { run_id: runId, to_role: 'reviewer', summary: 's', next_action: 'n' }))).toBe('LEASE_LOST');
    const run = await op.ok<{ run: { state: string } }>('get_run', { run_id: runId });
    expect(run.run.state).toBe('leased');
  });

  it('a stale offerer’s handoff is withdrawn and its run recovered; a cancelled run’s handoff is withdrawn', async () => {
    const { runId } = await startedRun();
    const { handoff_id } = await impl.ok<{ handoff_id: string }>('handoff', { run_id: runId, to_role: 'reviewer', summary: 's', next_action: 'n' });
    t.clock.advance(61_000);
    await rev1.ok('heartbeat', {}); // any write runs expiry: impl turned stale; rev1's own call is a sign of life
    const h = await rev1.ok<{ handoff: HandoffOut }>('await_update', { handoff_id, timeout_seconds: 0 });
    expect(h.handoff).toMatchObject({ state: 'withdrawn', reason: 'offerer_stale', decided_by: 'system' });
    const run = await op.ok<{ run: { state: string; owner_id: string | null } }>('get_run', { run_id: runId });
    expect(run.run).toMatchObject({ state: 'queued', owner_id: null });
    const events = await op.ok<{ events: { type: string }[] }>('list_events', { run_id: runId, limit: 50 });
    expect(events.events.map((e) => e.type)).toEqual(expect.arrayContaining(['handoff.withdrawn', 'run.handoff_withdrawn', 'run.requeued']));

    // an operator cancels a run with a pending handoff: the handoff cannot be accepted any more
    const second = await rev1.ok<{ run_id: string }>('start_run', { title: 'second' });
    const offer = await rev1.ok<{ handoff_id: string }>('handoff', { run_id: second.run_id, to_agent: rev2Id, summary: 's', next_action: 'n' });
    await op.ok('cancel_run', { run_id: second.run_id, reason: 'not needed' });
    const accept = await rev2.call('accept_handoff', { handoff_id: offer.handoff_id });
    expect(errorCode(accept)).toBe('INVALID_STATE');
    const closed = await op.ok<{ handoff: HandoffOut }>('await_update', { handoff_id: offer.handoff_id, timeout_seconds: 0 });
    expect(closed.handoff).toMatchObject({ state: 'withdrawn', reason: 'run_moved_on' });
  });
});
