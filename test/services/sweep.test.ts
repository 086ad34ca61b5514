import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerAgent } from '../../src/services/agents.js';
import { sweepOnce } from '../../src/services/sweep.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

describe('the periodic sweep', () => {
  let t: TestApp;
  let other: Database.Database;
  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '60' });
    other = new Database(t.config.db);
  });
  afterEach(() => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    t.close();
  });

  it('takes no write lock when nothing is due: it finishes while another process holds the lock', async () => {
    await registerAgent(t.app.deps, { name: 'alice', role: 'implementer' });
    other.exec('BEGIN IMMEDIATE');
    const report = await sweepOnce(t.app.deps);
    expect(report).toEqual({ staleAgents: [], expired: 0 });
    other.exec('ROLLBACK');
  });

  it('writes when something is due: a silent agent turns stale, once', async () => {
    const { agent } = await registerAgent(t.app.deps, { name: 'bob', role: 'implementer' });
    t.clock.advance(61_000);
    expect((await sweepOnce(t.app.deps)).staleAgents).toEqual([agent.id]);
    other.exec('BEGIN IMMEDIATE'); // nothing is due any more, so the next sweep does not wait for this lock
    expect(await sweepOnce(t.app.deps)).toEqual({ staleAgents: [], expired: 0 });
  });
});
