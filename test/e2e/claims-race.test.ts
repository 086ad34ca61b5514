import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/services/audit.js';
import { openTestApp, tempDir } from '../helpers/app.js';
import { spawnServer, type StdioClient } from '../helpers/stdio.js';

const PROCESSES = 6;

interface ClaimResult {
  granted: boolean;
  claims: { claim_id: string; pattern: string }[];
  conflicts: { claim_id: string; holder: { agent_id: string }; witness: string }[];
}

describe('server processes racing for overlapping scopes on one file', () => {
  let tmp: ReturnType<typeof tempDir>;
  const clients: StdioClient[] = [];
  beforeEach(() => {
    tmp = tempDir('fleetdeck-claims-race-');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
    tmp.cleanup();
  });

  it('grants exactly one of them, every round; the others see the winner as the conflict', async () => {
    const db = join(tmp.dir, 'fleet.db');
    clients.push(...(await Promise.all(Array.from({ length: PROCESSES }, () => spawnServer({ db, cwd: tmp.dir })))));
    const ids = await Promise.all(
      clients.map(async (c, i) => (await c.ok<{ agent_id: string }>('register_agent', { name: `racer-${i}`, role: 'implementer' })).agent_id),
    );

    // Each round every process asks for different patterns that pairwise overlap; in the last
    // round each request also holds a scope nobody else wants (all-or-nothing under the race).
    const rounds: ((i: number) => { kind: string; pattern: string }[])[] = [
      () => [{ kind: 'path', pattern: 'src/**' }],
      (i) => [{ kind: 'path', pattern: i % 2 === 0 ? `src/api/*.ts` : `src/*/users.ts` }],
      (i) => [{ kind: 'resource', pattern: ['area:billing', 'area:billing/api', 'area:*/api/v2'][i % 3]! }],
      (i) => [
        { kind: 'path', pattern: `pkg${i}/**` },
        { kind: 'path', pattern: i % 2 === 0 ? 'shared/**/*.json' : 'shared/config/*' },
      ],
    ];
    for (const scopesFor of rounds) {
      const results = await Promise.all(clients.map((c, i) => c.ok<ClaimResult>('claim_scope', { scopes: scopesFor(i) })));
      const winners = results.map((r, i) => (r.granted ? i : -1)).filter((i) => i >= 0);
      expect(winners).toHaveLength(1);
      const winner = winners[0]!;
      const winnerClaims = new Set(results[winner]!.claims.map((c) => c.claim_id));
      for (const [i, r] of results.entries()) {
        if (i === winner) continue;
        expect(r.claims).toEqual([]);
        expect(r.conflicts.length).toBeGreaterThan(0);
        for (const conflict of r.conflicts) {
          expect(conflict.holder.agent_id).toBe(ids[winner]);
          expect(winnerClaims.has(conflict.claim_id)).toBe(true);
        }
      }
      await clients[winner]!.ok('release_scope', { all: true });
    }

    await Promise.all(clients.splice(0).map((c) => c.close()));
    const t = await openTestApp({}, tmp.dir);
    try {
      const granted = await t.app.deps.store.read(async (tx) => await tx.events.list({ types: ['claim.granted'], limit: 1000 }));
      // rounds 1-3 grant one claim each, round 4 two (both scopes of the winner), nothing more
      expect(granted).toHaveLength(5);
      expect((await verifyAudit(t.app.deps)).ok).toBe(true);
    } finally {
      t.app.close();
    }
  });
});
