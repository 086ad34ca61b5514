import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { globMatches } from '../../src/domain/glob/index.js';
import { connectClient, errorCode, openTestApp, type TestApp, type TestClient } from '../helpers/app.js';

interface Conflict {
  claim_id: string;
  pattern: string;
  mode: string;
  holder: { agent_id: string; name: string; liveness: string; last_seen_at: string };
  since: string;
  expires_at: string;
  run_id: string | null;
  reason: string | null;
  witness: string;
  requested_pattern: string;
}
interface ClaimResult {
  granted: boolean;
  workspace: string;
  claims: { claim_id: string; pattern: string; mode: string; expires_at: string; extended: boolean }[];
  conflicts: Conflict[];
  conflicts_total: number;
  next: string;
  signals?: { kind: string; message: string; payload: Record<string, unknown> }[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function readJson(c: TestClient, uri: string): Promise<any> {
  const content = (await c.client.readResource({ uri })).contents[0]!;
  if (!('text' in content)) throw new Error(`${uri} is not text`);
  return JSON.parse(content.text);
}

describe('claims over MCP', () => {
  let t: TestApp;
  let alice: TestClient;
  let bob: TestClient;
  let aliceId: string;
  let bobId: string;

  beforeEach(async () => {
    t = await openTestApp();
    alice = await connectClient(t.app);
    bob = await connectClient(t.app);
    aliceId = (await alice.ok<{ agent_id: string }>('register_agent', { name: 'alice', role: 'implementer' })).agent_id;
    bobId = (await bob.ok<{ agent_id: string }>('register_agent', { name: 'bob', role: 'implementer' })).agent_id;
  });
  afterEach(async () => {
    await alice.close();
    await bob.close();
    t.close();
  });

  const lastSeq = async () => (await alice.ok<{ last_event_seq: number }>('fleet_status')).last_event_seq;

  it('grants a claim, then tells a second agent at once who holds it, that it is alive, since when, and a witness', async () => {
    const granted = await alice.ok<ClaimResult>('claim_scope', { scopes: [{ kind: 'path', pattern: './src/api/**' }], reason: 'auth refactor' });
    expect(granted).toMatchObject({ granted: true, workspace: t.config.workspace, conflicts: [] });
    expect(granted.claims).toEqual([expect.objectContaining({ pattern: 'src/api/**', mode: 'exclusive', extended: false })]);
    expect(granted.claims[0]!.claim_id).toMatch(/^clm_/);
    expect(granted.next).toMatch(/release_scope/);

    const denied = await bob.ok<ClaimResult>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/api/users.ts' }] });
    expect(denied.granted).toBe(false);
    expect(denied.claims).toEqual([]);
    expect(denied.conflicts_total).toBe(1);
    const [conflict] = denied.conflicts;
    expect(conflict).toMatchObject({
      claim_id: granted.claims[0]!.claim_id,
      pattern: 'src/api/**',
      holder: { agent_id: aliceId, name: 'alice', liveness: 'active' },
      since: new Date(t.clock.now()).toISOString(),
      expires_at: granted.claims[0]!.expires_at,
      run_id: null,
      reason: 'auth refactor',
      witness: 'src/api/users.ts',
      requested_pattern: 'src/api/users.ts',
    });
    expect(denied.next).toMatch(/alice/);
    expect(denied.next).toMatch(/work elsewhere/i);
  });

  it('gives a witness matched by both patterns for overlaps no text match would find', async () => {
    await alice.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/*.ts' }] });
    const denied = await bob.ok<ClaimResult>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/a*' }] });
    const witness = denied.conflicts[0]!.witness;
    expect(globMatches('src/*.ts', witness) && globMatches('src/a*', witness)).toBe(true);
  });

  it('refuses malformed, absolute and escaping patterns with INVALID_INPUT and a hint, writing nothing', async () => {
    const before = await lastSeq();
    for (const pattern of ['/etc/**', '../x/**', 'src/[a', 'src/{a,b']) {
      const result = await alice.call('claim_scope', { scopes: [{ kind: 'path', pattern }] });
      expect(result.isError).toBe(true);
      expect(errorCode(result)).toBe('INVALID_INPUT');
      expect((result.structuredContent.error as { hint?: string }).hint).toBeTruthy();
    }
    const tooMany = await alice.call('claim_scope', { scopes: Array.from({ length: 51 }, (_, i) => ({ kind: 'path', pattern: `d${i}/**` })) });
    expect(errorCode(tooMany)).toBe('TOO_LARGE');
    const unknownField = await alice.call('claim_scope', { scopes: [{ kind: 'path', pattern: 'a', owner: 'x' }] });
    expect(errorCode(unknownField)).toBe('INVALID_INPUT');
    const badTtl = await alice.call('claim_scope', { scopes: [{ kind: 'path', pattern: 'a' }], ttl_seconds: 5 });
    expect(errorCode(badTtl)).toBe('INVALID_INPUT');
    expect(await lastSeq()).toBe(before);
  });

  it('check_scope answers like claim_scope and takes nothing', async () => {
    await alice.ok('claim_scope', { scopes: [{ kind: 'resource', pattern: 'area:billing' }] });
    const before = await lastSeq();
    const check = await bob.ok<ClaimResult>('check_scope', { scopes: [{ kind: 'resource', pattern: 'area:billing/api' }] });
    expect(check.granted).toBe(false);
    expect(check.conflicts[0]).toMatchObject({ holder: { name: 'alice' }, witness: 'area:billing/api' });
    const free = await bob.ok<ClaimResult>('check_scope', { scopes: [{ kind: 'resource', pattern: 'area:shipping' }] });
    expect(free.granted).toBe(true);
    expect(free.claims[0]).toMatchObject({ claim_id: null, pattern: 'area:shipping', extended: false });
    expect(await lastSeq()).toBe(before);
    const listing = (await readJson(bob, 'fleet://claims')) as { claims: unknown[] };
    expect(listing.claims).toHaveLength(1);
  });

  it('release_scope releases own claims and refuses others with FORBIDDEN', async () => {
    const a = await alice.ok<ClaimResult>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }] });
    const id = a.claims[0]!.claim_id;
    const forbidden = await bob.call('release_scope', { claim_ids: [id] });
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    const released = await alice.ok<{ released: { claim_id: string }[] }>('release_scope', { claim_ids: [id] });
    expect(released.released.map((r) => r.claim_id)).toEqual([id]);
    expect((await bob.ok<ClaimResult>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }] })).granted).toBe(true);
    expect(errorCode(await alice.call('release_scope', {}))).toBe('INVALID_INPUT');
  });

  it('force_release is operator-only; the holder gets a claim_released signal on its next result', async () => {
    const agentTools = (await alice.client.listTools()).tools.map((tool) => tool.name);
    expect(agentTools).toEqual(expect.arrayContaining(['claim_scope', 'check_scope', 'release_scope']));
    expect(agentTools).not.toContain('force_release');

    const a = await alice.ok<ClaimResult>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }] });
    const operator = await connectClient(t.app, 'operator');
    expect(errorCode(await operator.call('force_release', { claim_ids: [a.claims[0]!.claim_id] }))).toBe('INVALID_INPUT'); // reason required
    const forced = await operator.ok<{ released: { claim_id: string; holder_agent_id: string }[] }>('force_release', {
      agent_id: aliceId,
      reason: 'alice is wedged; freeing src for bob',
    });
    expect(forced.released).toEqual([expect.objectContaining({ claim_id: a.claims[0]!.claim_id, holder_agent_id: aliceId })]);
    // the operator cannot claim (claim_scope is for agents) but can check
    expect(errorCode(await operator.call('claim_scope', { scopes: [{ kind: 'path', pattern: 'x' }] }))).toBe('FORBIDDEN');
    expect((await operator.ok<ClaimResult>('check_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }] })).granted).toBe(true);
    await operator.close();

    const next = await alice.ok<ClaimResult>('check_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }] });
    expect(next.signals).toEqual([expect.objectContaining({ kind: 'claim_released', payload: expect.objectContaining({ reason: 'forced' }) })]);
    expect(next.signals![0]!.message).toMatch(/wedged/);
  });

  it('shows active claims in fleet://claims, fleet://agents/{id}/claims, fleet://agents/{id} and whoami', async () => {
    await alice.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }, { kind: 'test', pattern: 'test/unit/**', mode: 'shared' }] });
    await bob.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'docs/**' }] });
    const read = (uri: string) => readJson(bob, uri);
    const all = await read('fleet://claims');
    expect(all.total).toBe(3);
    expect(all.claims.map((c: { pattern: string; holder: { name: string } }) => `${c.holder.name}:${c.pattern}`)).toEqual([
      'alice:src/**',
      'alice:test/unit/**',
      'bob:docs/**',
    ]);
    const mine = await read(`fleet://agents/${aliceId}/claims`);
    expect(mine).toMatchObject({ agent_id: aliceId, liveness: 'active', total: 2 });
    const agent = await read(`fleet://agents/${bobId}`);
    expect(agent.claims.map((c: { pattern: string }) => c.pattern)).toEqual(['docs/**']);
    const who = await alice.ok<{ claims: { pattern: string; mode: string }[] }>('whoami');
    expect(who.claims.map((c) => `${c.pattern}:${c.mode}`)).toEqual(['src/**:exclusive', 'test/unit/**:shared']);
    const templates = (await bob.client.listResourceTemplates()).resourceTemplates.map((r) => r.uriTemplate);
    expect(templates).toContain('fleet://agents/{agent_id}/claims');
  });

  it('notifies subscribers of fleet://claims when a claim is granted', async () => {
    let resolveUpdate: (uri: string) => void = () => {};
    const updated = new Promise<string>((resolve) => (resolveUpdate = resolve));
    bob.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolveUpdate(n.params.uri));
    await bob.client.subscribeResource({ uri: 'fleet://claims' });
    await alice.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }] });
    expect(await updated).toBe('fleet://claims');
  });

  it('renews claims on any tool call and reports them in heartbeat.renewed', async () => {
    const a = await alice.ok<ClaimResult>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/**' }], ttl_seconds: 60 });
    t.clock.advance(45_000);
    await alice.ok('whoami'); // a sign of life
    t.clock.advance(45_000); // 90 s after the claim
    expect((await bob.ok<ClaimResult>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/x' }] })).granted).toBe(false);
    const hb = await alice.ok<{ renewed: { claims: string[] } }>('heartbeat', {});
    expect(hb.renewed.claims).toEqual([a.claims[0]!.claim_id]);
  });
});
