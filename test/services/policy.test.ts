import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_POLICY, parsePolicy, policyForClaim, type Policy } from '../../src/domain/policy.js';
import { currentPolicy, policyStatus } from '../../src/services/policy/load.js';
import { canonicalWorkspace } from '../../src/services/workspace-identity.js';
import { openTestApp, type TestApp } from '../helpers/app.js';

function policy(raw: unknown): Policy {
  const parsed = parsePolicy(JSON.stringify(raw));
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.policy;
}

describe('policy file format', () => {
  it('fills defaults and normalises patterns', () => {
    const p = policy({ claims_need_approval: [{ pattern: './infra//' }] });
    expect(p).toEqual({ version: 1, claims_need_approval: [{ kind: 'path', pattern: 'infra' }], types_need_approval_before_complete: [], max_leased_runs_per_agent: null });
    expect(EMPTY_POLICY.max_leased_runs_per_agent).toBeNull();
  });

  it('names the problem: bad JSON, unknown keys, malformed globs, out-of-range numbers', () => {
    const problems = (text: string) => {
      const r = parsePolicy(text);
      return r.ok ? [] : r.problems;
    };
    expect(problems('{ "max_leased_runs_per_agent": 3,')[0]).toMatch(/not valid JSON/);
    expect(problems('{ "max_leased": 3 }')[0]).toMatch(/max_leased/);
    expect(problems('{ "claims_need_approval": [{ "pattern": "/etc/**" }] }')[0]).toMatch(/^claims_need_approval\.0\.pattern: /);
    expect(problems('{ "max_leased_runs_per_agent": 0 }')[0]).toMatch(/^max_leased_runs_per_agent: /);
    expect(problems('{ "types_need_approval_before_complete": "deploy" }')[0]).toMatch(/^types_need_approval_before_complete: /);
  });
});

describe('policyForClaim', () => {
  const p = policy({
    claims_need_approval: [
      { pattern: 'infra/**', reason: 'production' },
      { kind: 'resource', pattern: 'db:prod' },
      { pattern: 'secrets/*', workspace: '/repo/a' },
    ],
  });
  const scope = (pattern: string, kind = 'path', workspace = '/repo/a') => ({ kind, pattern, workspace });

  it('fires when the requested scope can match a governed name, with a witness', () => {
    const [hit] = policyForClaim(p, [scope('infra/terraform/*.tf')]);
    expect(hit?.rule.pattern).toBe('infra/**');
    expect(hit?.witness).toMatch(/^infra\/terraform\/.*\.tf$/);
    expect(policyForClaim(p, [scope('**')])).toHaveLength(1); // everything includes infra/
    expect(policyForClaim(p, [scope('db:prod/users', 'resource')])).toHaveLength(1);
  });

  it('does not fire on disjoint scopes, other kinds or other workspaces', () => {
    expect(policyForClaim(p, [scope('src/**'), scope('infra.md'), scope('infra/**', 'test')])).toEqual([]);
    expect(policyForClaim(p, [scope('secrets/key', 'path', '/repo/b')])).toEqual([]);
    expect(policyForClaim(p, [scope('secrets/key', 'path', '/repo/a')])).toHaveLength(1);
  });
});

describe('policy loading', () => {
  let t: TestApp;
  afterEach(() => t.close());

  it('is absent by default, re-read when the file changes (at most once per second), and fails closed when invalid', async () => {
    t = await openTestApp();
    const file = join(t.dir, 'policy.json');
    expect(policyStatus(t.app.deps)).toMatchObject({ state: 'absent', path: file });
    writeFileSync(file, JSON.stringify({ max_leased_runs_per_agent: 2 }));
    expect(policyStatus(t.app.deps).state).toBe('absent'); // looked less than a second ago
    t.clock.advance(1_000);
    expect(currentPolicy(t.app.deps).max_leased_runs_per_agent).toBe(2);
    writeFileSync(file, '{ "max_leased_runs_per_agent": "many" }');
    t.clock.advance(1_000);
    expect(() => currentPolicy(t.app.deps)).toThrow(expect.objectContaining({ code: 'INVALID_STATE', message: expect.stringContaining('max_leased_runs_per_agent') }));
  });

  it('reads a rule whose workspace is a checkout folder as that folder\'s repository, as claims are keyed', async () => {
    t = await openTestApp();
    const repo = join(t.dir, 'api');
    mkdirSync(join(repo, '.git'), { recursive: true });
    writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(repo, '.git', 'config'), '[remote "origin"]\n\turl = git@github.com:acme/api.git\n');
    writeFileSync(join(t.dir, 'policy.json'), JSON.stringify({ claims_need_approval: [{ pattern: 'infra/**', workspace: repo }, { pattern: 'docs/**', workspace: 'acme/docs' }] }));
    t.clock.advance(1_000);
    const rules = currentPolicy(t.app.deps).claims_need_approval;
    expect(rules.map((r) => r.workspace)).toEqual([canonicalWorkspace(repo), 'acme/docs']);
    expect(rules[0]!.workspace).not.toBe(repo);
    expect(policyForClaim(currentPolicy(t.app.deps), [{ kind: 'path', pattern: 'infra/db.tf', workspace: canonicalWorkspace(repo) }])).toHaveLength(1);
  });
});
