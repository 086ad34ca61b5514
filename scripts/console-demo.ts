/**
 * A demonstration fleet for the console's screenshots and its benchmark: twelve hours of history
 * (runs completed and failed hour by hour, for the queue charts) and a present with something in
 * every view: working agents with claims and usage, a blocker with options, an offered handoff,
 * a dead letter, a paused agent, a stale one, queued runs at several priorities.
 * Everything goes through real MCP clients on a real SQLite file, with a manual clock.
 */
import type { ManualClock } from '../src/clock.js';
import type { App } from '../src/main.js';
import { connectDemoClient, type DemoClient } from './demo-app.js';

const HOUR = 3_600_000;
const MIN = 60_000;

export interface DemoFleet {
  runs: { leased: string; blocked: string; handoff: string; dead: string };
  blockerId: string;
  close(): Promise<void>;
}

async function agent(app: App, name: string, role: string, workspace = '/srv/work/shop'): Promise<DemoClient & { id: string }> {
  const c = await connectDemoClient(app);
  const reg = await c.ok<{ agent_id: string }>('register_agent', { name, role, workspace, capabilities: ['typescript'] });
  return Object.assign(c, { id: reg.agent_id });
}

/** Builds the fleet on `app`, whose agents' lease must be at least an hour (see openDemoApp). */
export async function buildDemoFleet(app: App, clock: ManualClock): Promise<DemoFleet> {
  const coord = await agent(app, 'coordinator', 'coordinator');
  const ada = await agent(app, 'ada', 'implementer');
  const brook = await agent(app, 'brook', 'implementer');
  const cyd = await agent(app, 'cyd', 'implementer');
  const rev = await agent(app, 'rhea', 'reviewer');
  const ghost = await agent(app, 'ghost', 'implementer', '/srv/work/docs');
  const workers = [ada, brook, cyd];
  const everyone = [coord, ada, brook, cyd, rev, ghost];

  // history: every hour a few runs are submitted, taken and finished (some fail)
  for (let h = 0; h < 12; h++) {
    for (const a of everyone) if (a !== ghost || h < 9) await a.ok('heartbeat', {});
    for (let i = 0; i < 2 + (h % 3); i++) {
      await coord.ok('submit_task', { title: `Fix lint batch ${h}.${i}`, instructions: 'Fix the reported lint errors in the batch.', to_role: 'implementer', type: 'lint' });
      const w = workers[(h + i) % 3]!;
      const taken = await w.ok<{ run: { run_id: string; lease_epoch: number } | null }>('take_task', {});
      if (!taken.run) continue;
      clock.advance((5 + ((h * 7 + i * 11) % 25)) * MIN);
      const fail = (h + i) % 5 === 0;
      await w.ok('submit_result', {
        run_id: taken.run.run_id,
        outcome: fail ? 'failed' : 'completed',
        summary: fail ? 'the linter crashed on a generated file' : 'fixed; eslint is clean',
        lease_epoch: taken.run.lease_epoch,
        usage: { tokens_in: 12_000 + h * 300, tokens_out: 3_000, cost_usd: 0.21 },
      });
    }
    clock.advance(HOUR - 20 * MIN);
  }
  for (const a of everyone) if (a !== ghost) await a.ok('heartbeat', {});

  // a dead letter: a run whose TTL passed before anyone could take it
  const dead = await coord.ok<{ run_id: string }>('submit_task', { title: 'Nightly flaky-test triage', instructions: 'Triage last night’s flaky tests.', to_role: 'triager', ttl_seconds: 60 });
  clock.advance(2 * MIN);

  // ada works on the billing API, claims its files and reports progress and usage
  const leased = await coord.ok<{ run_id: string }>('submit_task', { title: 'Refactor the billing API', instructions: 'Split src/billing/api.ts by resource; keep the public routes.', to_agent: ada.id, type: 'refactor', priority: 5, expected_evidence: ['test-output'] });
  const adaRun = await ada.ok<{ run: { run_id: string } }>('take_task', {});
  await ada.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/billing/**' }, { kind: 'test', pattern: 'billing' }], run_id: adaRun.run.run_id, reason: 'splitting the billing API', ttl_seconds: 7200 });
  await ada.ok('attach_evidence', { run_id: adaRun.run.run_id, kind: 'test-output', name: 'vitest-billing.txt', content: ' ✓ test/billing/api.test.ts (24 tests) 812ms\n ✓ test/billing/invoices.test.ts (9 tests) 301ms\n\n Test Files  2 passed (2)\n      Tests  33 passed (33)\n' });
  await ada.ok('heartbeat', { status: 'working', note: 'moving invoice routes', progress: 0.6, run_id: adaRun.run.run_id, usage: { tokens_in: 48_000, tokens_out: 9_500, cost_usd: 0.74 } });

  // brook needs an approval
  const blockedSub = await coord.ok<{ run_id: string }>('submit_task', { title: 'Remove the legacy invoices table', instructions: 'Migrate readers to invoices_v2, then drop invoices.', to_agent: brook.id, type: 'migration', priority: 8 });
  const brookRun = await brook.ok<{ run: { run_id: string } }>('take_task', {});
  await brook.ok('claim_scope', { scopes: [{ kind: 'resource', pattern: 'db:invoices' }], run_id: brookRun.run.run_id, reason: 'schema change', ttl_seconds: 7200 });
  await brook.ok('attach_evidence', { run_id: brookRun.run.run_id, kind: 'report', name: 'readers.md', content: '# Readers of `invoices`\n\n- billing/api.ts (migrated)\n- reports/monthly.sql (migrated)\n- nothing else in the repository\n', media_type: 'text/markdown' });
  const blocker = await brook.ok<{ blocker_id: string }>('raise_blocker', {
    run_id: brookRun.run.run_id,
    kind: 'approval',
    question: 'May I drop the legacy invoices table in production?',
    options: ['drop it', 'keep it and add a read-only view'],
    context: 'All known readers use invoices_v2 since Tuesday. The table holds 2.1 M rows; a backup was taken at 06:00.',
  });

  // cyd hands its run to the reviewers
  const handoffSub = await coord.ok<{ run_id: string }>('submit_task', { title: 'Add retries to the webhook sender', instructions: 'Retry 5xx answers with backoff, at most 5 times.', to_agent: cyd.id, type: 'feature' });
  const cydRun = await cyd.ok<{ run: { run_id: string } }>('take_task', {});
  const patch = await cyd.ok<{ artifact_id: string }>('attach_evidence', { run_id: cydRun.run.run_id, kind: 'patch', name: 'webhook-retries.diff', content: '--- a/src/webhooks/send.ts\n+++ b/src/webhooks/send.ts\n@@ -10,3 +10,8 @@\n+  for (let attempt = 1; attempt <= 5; attempt++) {\n+    const res = await post(url, body);\n+    if (res.status < 500) return res;\n+    await sleep(backoff(attempt));\n+  }\n' });
  await cyd.ok('handoff', {
    run_id: cydRun.run.run_id,
    to_role: 'reviewer',
    summary: 'Retries with exponential backoff are in; unit tests pass.',
    next_action: 'Review the diff and the backoff bounds, then merge.',
    changed_files: ['src/webhooks/send.ts', 'test/webhooks/send.test.ts'],
    evidence: [patch.artifact_id],
    failed_attempts: [{ approach: 'retry inside the HTTP client', result: 'hid timeouts from the caller' }],
    risks: ['a slow receiver now holds a worker up to 31 s'],
    open_questions: ['should 429 be retried too?'],
  });

  // queued work at several priorities, and a paused reviewer
  for (const [title, role, priority] of [
    ['Update the changelog', 'implementer', 0],
    ['Bump TypeScript to 5.9', 'implementer', 2],
    ['Review the cache layer', 'reviewer', 5],
    ['Security review of the login flow', 'reviewer', 9],
    ['Translate error messages', 'implementer', 0],
  ] as const) {
    await coord.ok('submit_task', { title, instructions: `${title}.`, to_role: role, priority });
    clock.advance(3 * MIN);
  }
  const op = await connectDemoClient(app, 'operator');
  await op.ok('pause_agent', { agent_id: rev.id, reason: 'on call this afternoon' });
  await op.close();
  for (const a of [coord, ada, brook, cyd]) await a.ok('heartbeat', {});
  return {
    runs: { leased: leased.run_id, blocked: blockedSub.run_id, handoff: handoffSub.run_id, dead: dead.run_id },
    blockerId: blocker.blocker_id,
    async close() {
      for (const a of everyone) await a.close();
    },
  };
}
