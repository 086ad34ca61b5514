import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canBlockerTransition, decisionMessage, decisionProblem } from '../../src/domain/blocker.js';
import { canHandoffTransition, isHandoffTarget } from '../../src/domain/handoff.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startRun } from '../../src/services/runs/submit.js';
import { registerAgent } from '../../src/services/agents.js';
import { raiseBlocker } from '../../src/services/blockers/raise.js';
import { offerHandoff } from '../../src/services/handoffs/offer.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

describe('handoff and blocker rules (pure)', () => {
  it('an offered handoff changes once; a decided one never', () => {
    expect(canHandoffTransition('offered', 'accepted')).toBe(true);
    expect(canHandoffTransition('accepted', 'withdrawn')).toBe(false);
    expect(canHandoffTransition('declined', 'accepted')).toBe(false);
    expect(canBlockerTransition('open', 'resolved')).toBe(true);
    expect(canBlockerTransition('resolved', 'open')).toBe(false);
  });

  it('targets: the named agent, or any agent of the role, never the offerer', () => {
    const toRole = { toAgentId: null, toRole: 'reviewer', fromAgentId: 'agt_a' };
    expect(isHandoffTarget(toRole, { id: 'agt_b', role: 'reviewer' })).toBe(true);
    expect(isHandoffTarget(toRole, { id: 'agt_c', role: 'implementer' })).toBe(false);
    expect(isHandoffTarget({ ...toRole, fromAgentId: 'agt_b' }, { id: 'agt_b', role: 'reviewer' })).toBe(false);
    expect(isHandoffTarget({ toAgentId: 'agt_b', toRole: null, fromAgentId: 'agt_a' }, { id: 'agt_c', role: 'reviewer' })).toBe(false);
  });

  it('validates decisions and words the signal', () => {
    const b = { options: ['a', 'b'], kind: 'decision' as const };
    expect(decisionProblem(b, { decision: 'answer' })?.message).toMatch(/text` or `option/);
    expect(decisionProblem(b, { decision: 'answer', option: 'c' })?.hint).toContain('a | b');
    expect(decisionProblem(b, { decision: 'answer', option: 'b' })).toBeNull();
    expect(decisionProblem(b, { decision: 'redirect' })).not.toBeNull();
    expect(decisionProblem(b, { decision: 'reassign', to_agent: 'agt_x', to_role: 'r' })).not.toBeNull();
    expect(decisionProblem(b, { decision: 'approve' })).toBeNull();
    expect(decisionMessage({ id: 'blk_1', kind: 'decision', decision: 'answer', resolution: null, chosenOption: 'b', reassignedTo: null })).toBe('blocker blk_1 answered: b; continue with that answer');
  });
});

describe('migration 006 constraints', () => {
  let t: TestApp;
  let db: SqliteStore['db'];
  let agentId: string;
  let runId: string;
  beforeEach(async () => {
    t = await openTestApp();
    db = (t.app.deps.store as SqliteStore).db;
    agentId = (await registerAgent(t.app.deps, { name: 'a', role: 'implementer' })).agent.id;
    runId = (await startRun(t.app.deps, agentId, { title: 'r' })).id;
  });
  afterEach(() => t.close());

  it('refuses unknown states and kinds, a handoff to both or neither target, and a second open blocker or handoff per run', async () => {
    const now = Date.now();
    const insertBlocker = db.prepare(`INSERT INTO blockers (id, run_id, agent_id, raised_by, origin, kind, question, created_at) VALUES (?, ?, ?, 'x', 'agent', ?, 'q', ?)`);
    expect(() => insertBlocker.run('blk_bad', runId, agentId, 'whim', now)).toThrow(/CHECK/);
    const insertHandoff = db.prepare(`INSERT INTO handoffs (id, run_id, from_agent_id, to_agent_id, to_role, summary, next_action, offered_epoch, created_at)
      VALUES (?, ?, ?, ?, ?, 's', 'n', 1, ?)`);
    expect(() => insertHandoff.run('hof_both', runId, agentId, agentId, 'reviewer', now)).toThrow(/CHECK/);
    expect(() => insertHandoff.run('hof_none', runId, agentId, null, null, now)).toThrow(/CHECK/);

    const { blocker } = await raiseBlocker(t.app.deps, agentId, { run_id: runId, kind: 'decision', question: 'q?' });
    expect(() => db.prepare(`UPDATE blockers SET state = 'maybe' WHERE id = ?`).run(blocker.id)).toThrow(/CHECK/);
    expect(() => db.prepare(`UPDATE blockers SET state = 'resolved' WHERE id = ?`).run(blocker.id)).toThrow(/CHECK/); // no decision, no time
    expect(() => insertBlocker.run('blk_second', runId, agentId, 'error', now)).toThrow(/UNIQUE/);

    const other = (await startRun(t.app.deps, agentId, { title: 'r2' })).id;
    const reviewer = (await registerAgent(t.app.deps, { name: 'b', role: 'reviewer' })).agent.id;
    await offerHandoff(t.app.deps, agentId, { run_id: other, to_agent: reviewer, summary: 's', next_action: 'n' });
    expect(() => insertHandoff.run('hof_second', other, agentId, null, 'reviewer', now)).toThrow(/UNIQUE/);
  });
});
