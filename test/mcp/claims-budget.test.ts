/**
 * Issue 13, items 1 and 2: a claim or check_scope request whose glob comparisons cost too much is
 * refused with INVALID_INPUT or TOO_LARGE (never INTERNAL), writes nothing, and other clients'
 * calls complete while it is being decided (the comparisons run outside the write lock and hand
 * the event loop back every few milliseconds).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, errorCode, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';

const heldRepro = (i: number) => '*' + '[n-z]*'.repeat(160) + i;
const requestedRepro = (i: number) => '**/'.repeat(300) + '*' + i;
/** compiles (under the automaton bound) but costs ~10^6 product steps against each heldRepro */
const costly = (ext: string) => '**/'.repeat(60) + '*' + ext;

describe('claims work budget', () => {
  let t: TestApp;
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;

  beforeEach(async () => {
    t = await openTestApp();
    alice = await connectClient(t.app);
    bob = await connectClient(t.app);
    carol = await connectClient(t.app);
    await alice.ok('register_agent', { name: 'alice', role: 'implementer' });
    await bob.ok('register_agent', { name: 'bob', role: 'implementer' });
    await carol.ok('register_agent', { name: 'carol', role: 'coordinator' });
    const held = await alice.ok<{ granted: boolean }>('claim_scope', {
      scopes: Array.from({ length: 20 }, (_, i) => ({ kind: 'path', pattern: heldRepro(i), mode: 'shared' })),
    });
    expect(held.granted).toBe(true);
  });
  afterEach(async () => {
    await Promise.all([alice.close(), bob.close(), carol.close()]);
    t.close();
  });

  const claimCount = async (): Promise<number> => {
    const content = (await carol.client.readResource({ uri: 'fleet://claims' })).contents[0]!;
    if (!('text' in content)) throw new Error('fleet://claims is not text');
    return (JSON.parse(content.text) as { claims: unknown[] }).claims.length;
  };

  /** Starts `slow`, then runs a bystander's calls; records the order in which they finish. */
  async function race(slow: () => Promise<unknown>): Promise<{ order: string[]; slow: unknown }> {
    const order: string[] = [];
    const slowDone = slow().then((r) => {
      order.push('slow');
      return r;
    });
    const bystander = (async () => {
      await carol.ok('whoami');
      order.push('whoami');
      await carol.ok('submit_task', { title: 'bystander', instructions: 'x', to_role: 'implementer' });
      order.push('submit_task');
    })();
    const [result] = await Promise.all([slowDone, bystander]);
    return { order, slow: result };
  }

  it('refuses the issue\'s repro (50 exclusive "**/" x 300 patterns vs 20 held) with INVALID_INPUT and a glob hint', async () => {
    const before = await claimCount();
    const { slow } = await race(() =>
      bob.call('claim_scope', { scopes: Array.from({ length: 50 }, (_, i) => ({ kind: 'path', pattern: requestedRepro(i) })) }),
    );
    const result = slow as Awaited<ReturnType<TestClient['call']>>;
    expect(result.isError).toBe(true);
    expect(errorCode(result)).toBe('INVALID_INPUT');
    const error = result.structuredContent.error as { message: string; hint: string };
    expect(error.message).toContain('too complex');
    expect(error.hint).toContain('broader directory glob');
    expect(await claimCount()).toBe(before);
  });

  it('answers a "too complex" pair in check_scope with INVALID_INPUT, not INTERNAL', async () => {
    await alice.ok('claim_scope', { scopes: [{ kind: 'path', pattern: '?'.repeat(1000), mode: 'shared' }] });
    const result = await bob.call('check_scope', { scopes: [{ kind: 'path', pattern: '**/'.repeat(300) + '*' }] });
    expect(errorCode(result)).toBe('INVALID_INPUT');
    expect((result.structuredContent.error as { hint: string }).hint).toContain('broader directory glob');
  });

  it('refuses a request over the work budget with TOO_LARGE while another client\'s calls complete', async () => {
    const before = await claimCount();
    const { order, slow } = await race(() => bob.call('claim_scope', { scopes: [{ kind: 'path', pattern: costly('') }] }));
    const result = slow as Awaited<ReturnType<TestClient['call']>>;
    expect(errorCode(result), JSON.stringify(result.structuredContent)).toBe('TOO_LARGE');
    expect((result.structuredContent.error as { hint: string }).hint).toContain('broader directory glob');
    // the bystander was served while bob's comparisons ran
    expect(order).toEqual(['whoami', 'submit_task', 'slow']);
    expect(await claimCount()).toBe(before);
  });

  it('keeps check_scope from stalling another client the same way', async () => {
    const { order, slow } = await race(() => bob.call('check_scope', { scopes: [{ kind: 'path', pattern: costly('{0,1,2,3,4,5,6,7,8,9}') }] }));
    expect(errorCode(slow as { structuredContent: Record<string, unknown> })).toBe('TOO_LARGE');
    expect(order).toEqual(['whoami', 'submit_task', 'slow']);
  });

  it('still grants exactly one of two concurrent overlapping exclusive requests (decided on a snapshot, verified in the write)', async () => {
    const [b, c] = await Promise.all([
      bob.ok<{ granted: boolean; conflicts: { witness: string }[] }>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }] }),
      carol.ok<{ granted: boolean; conflicts: { witness: string }[] }>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/api/*.ts' }] }),
    ]);
    expect([b.granted, c.granted].sort()).toEqual([false, true]);
    const loser = b.granted ? c : b;
    expect(loser.conflicts).toHaveLength(1);
    expect(loser.conflicts[0]!.witness).toMatch(/^src\/.+\.ts$/);
  });
});
