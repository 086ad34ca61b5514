/**
 * Found by the chaos suite (seed 20261130): an accepted handoff moves a run's claims to the taker
 * without checking them against what the giver keeps. An agent may hold overlapping scopes itself
 * (its own claims never conflict), so handing one of two runs away leaves two agents holding
 * overlapping scopes with one exclusive — a state claim_scope would never grant (SPEC §3 Claims).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';
import { openFile } from './helpers/inspect.js';

describe('an accepted handoff never leaves two agents holding conflicting scopes', () => {
  let t: TestApp;
  let giver: TestClient;
  let taker: TestClient;
  beforeEach(async () => {
    t = await openTestApp();
    giver = await connectClient(t.app);
    taker = await connectClient(t.app);
    await giver.ok('register_agent', { name: 'giver', role: 'implementer' });
    await taker.ok('register_agent', { name: 'taker', role: 'implementer' });
  });
  afterEach(async () => {
    await giver.close();
    await taker.close();
    t.close();
  });

  for (const kept of ['shared', 'exclusive'] as const) {
    it(`the giver keeps ${kept} src/** on one run and hands off a run holding exclusive src/*.ts`, async () => {
      const keep = await giver.ok<{ run_id: string }>('start_run', { title: 'keep' });
      const give = await giver.ok<{ run_id: string; lease_epoch: number }>('start_run', { title: 'give' });
      expect(await giver.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }], mode: kept, run_id: keep.run_id })).toMatchObject({ granted: true });
      expect(await giver.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/*.ts' }], mode: 'exclusive', run_id: give.run_id })).toMatchObject({ granted: true });
      const takerId = (await taker.ok<{ agent: { agent_id: string } }>('whoami')).agent.agent_id;
      const offered = await giver.ok<{ handoff_id: string }>('handoff', { run_id: give.run_id, to_agent: takerId, summary: 'half done', next_action: 'finish it' });

      const accepted = await taker.call('accept_handoff', { handoff_id: offered.handoff_id });
      // either the accept is refused, or it goes through without leaving a conflict behind
      const file = openFile(t.config.db, true);
      const claims = file.prepare("SELECT agent_id, mode, pattern FROM claims WHERE state = 'active'").all() as { agent_id: string; mode: string; pattern: string }[];
      file.close();
      const byAgent = new Map<string, string[]>();
      for (const c of claims) byAgent.set(c.agent_id, [...(byAgent.get(c.agent_id) ?? []), `${c.mode} ${c.pattern}`]);
      const takerHolds = byAgent.get(takerId) ?? [];
      const giverHolds = [...byAgent.entries()].filter(([id]) => id !== takerId).flatMap(([, held]) => held);
      const conflict = takerHolds.includes('exclusive src/*.ts') && giverHolds.some((h) => h.endsWith(' src/**'));
      expect({ accepted: !accepted.isError, takerHolds, giverHolds, conflict }).toMatchObject({ conflict: false });
    });
  }
});
