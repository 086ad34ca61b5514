/**
 * accept_handoff moves only the claims that conflict with nobody: a claim of the run overlapping a
 * scope the giver (or anyone else) keeps is released instead, and the taker is told, in
 * not_received and in its next step, what to claim again (docs/handoffs-and-blockers.md).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';

interface NotReceived {
  claim_id: string;
  pattern: string;
  mode: string;
  reason: string;
  conflicts_with: { claim_id: string; agent_id: string; pattern: string; witness: string }[];
}
interface Accepted {
  claims: string[];
  not_received: NotReceived[];
  next: string;
}
interface Granted {
  granted: boolean;
  claims: { claim_id: string }[];
}

describe('accept_handoff and the scopes the giver keeps', () => {
  let t: TestApp;
  let giver: TestClient;
  let taker: TestClient;
  let takerId: string;
  let giverId: string;
  beforeEach(async () => {
    t = await openTestApp();
    giver = await connectClient(t.app);
    taker = await connectClient(t.app);
    giverId = (await giver.ok<{ agent_id: string }>('register_agent', { name: 'giver', role: 'implementer' })).agent_id;
    takerId = (await taker.ok<{ agent_id: string }>('register_agent', { name: 'taker', role: 'implementer' })).agent_id;
  });
  afterEach(async () => {
    await giver.close();
    await taker.close();
    t.close();
  });

  it('moves the claims nobody else holds, releases the overlapping one, and tells the taker to claim it again', async () => {
    const keep = await giver.ok<{ run_id: string }>('start_run', { title: 'keep' });
    const give = await giver.ok<{ run_id: string }>('start_run', { title: 'give' });
    const kept = await giver.ok<Granted>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }], mode: 'shared', run_id: keep.run_id });
    const handed = await giver.ok<Granted>('claim_scope', {
      scopes: [
        { kind: 'path', pattern: 'src/*.ts' },
        { kind: 'path', pattern: 'docs/**' },
      ],
      mode: 'exclusive',
      run_id: give.run_id,
    });
    const [overlapping, free] = handed.claims.map((c) => c.claim_id);
    const offered = await giver.ok<{ handoff_id: string }>('handoff', { run_id: give.run_id, to_agent: takerId, summary: 'half done', next_action: 'finish it' });

    const accepted = await taker.ok<Accepted>('accept_handoff', { handoff_id: offered.handoff_id });

    expect(accepted.claims).toEqual([free]);
    expect(accepted.not_received).toHaveLength(1);
    expect(accepted.not_received[0]).toMatchObject({ claim_id: overlapping, pattern: 'src/*.ts', mode: 'exclusive', reason: 'conflict' });
    expect(accepted.not_received[0]!.conflicts_with).toEqual([
      expect.objectContaining({ claim_id: kept.claims[0]!.claim_id, agent_id: giverId, pattern: 'src/**' }),
    ]);
    expect(accepted.next).toContain('claim_scope again');
    expect(accepted.next).toContain('src/*.ts');

    // the released claim has its audit event, naming the handoff and the scope kept
    const events = await taker.ok<{ events: { type: string; subject_id: string; payload: Record<string, unknown> }[] }>('list_events', {
      types: ['claim.released', 'claim.transferred'],
      run_id: give.run_id,
    });
    expect(events.events.map((e) => [e.type, e.subject_id])).toEqual(expect.arrayContaining([['claim.released', overlapping], ['claim.transferred', free]]));
    const released = events.events.find((e) => e.type === 'claim.released')!;
    expect(released.payload).toMatchObject({ reason: 'handoff_conflict', handoff_id: offered.handoff_id });

    // as claim_scope would: the taker asking for it now is refused, naming the giver's kept scope
    const again = await taker.ok<{ granted: boolean; conflicts: { claim_id: string }[] }>('claim_scope', {
      scopes: [{ kind: 'path', pattern: 'src/*.ts' }],
      mode: 'exclusive',
      run_id: give.run_id,
    });
    expect(again).toMatchObject({ granted: false, conflicts: [expect.objectContaining({ claim_id: kept.claims[0]!.claim_id })] });
    // a shared claim is compatible with the giver's shared one
    expect(await taker.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/*.ts' }], mode: 'shared', run_id: give.run_id })).toMatchObject({ granted: true });
  });

  it('moves every claim when nothing overlaps (not_received is empty)', async () => {
    await giver.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'lib/**' }], mode: 'exclusive' });
    const give = await giver.ok<{ run_id: string }>('start_run', { title: 'give' });
    const handed = await giver.ok<Granted>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/*.ts' }], run_id: give.run_id });
    const offered = await giver.ok<{ handoff_id: string }>('handoff', { run_id: give.run_id, to_agent: takerId, summary: 's', next_action: 'n' });
    const accepted = await taker.ok<Accepted>('accept_handoff', { handoff_id: offered.handoff_id });
    expect(accepted).toMatchObject({ claims: [handed.claims[0]!.claim_id], not_received: [] });
    expect(accepted.next).not.toContain('claim_scope again');
  });
});
