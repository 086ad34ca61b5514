/**
 * `fleetdeck hook EVENT` driven as Claude Code drives it: the built CLI, a recorded payload on
 * stdin, the JSON answer on stdout, and the effect in the real database.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openApp, type App } from '../../src/main.js';
import { registerAgent } from '../../src/services/agents.js';
import { claimScope } from '../../src/services/claims/claim.js';
import { pauseAgent } from '../../src/services/operator/pause.js';
import { silentLogger, tempDir } from '../helpers/app.js';
import { fixture, gitRepo, runHook } from '../helpers/hooks.js';

type HookSpecific = { hookEventName: string; additionalContext?: string; permissionDecision?: string; permissionDecisionReason?: string };
const specific = (json: Record<string, unknown>) => json.hookSpecificOutput as HookSpecific | undefined;

describe('fleetdeck hook', () => {
  let tmp: { dir: string; cleanup: () => void };
  let repo: string;
  let db: string;
  let env: Record<string, string>;
  let app: App;

  beforeEach(async () => {
    tmp = tempDir();
    repo = join(realpathSync(tmp.dir), 'repo');
    gitRepo(repo);
    mkdirSync(join(repo, 'src', 'api'), { recursive: true });
    db = join(tmp.dir, 'data', 'fleet.db');
    env = { FLEETDECK_DB: db };
    // the test's own view of the same database, through the real services
    app = await openApp(loadConfig({ db, workspace: repo }, {}), { logger: silentLogger });
  });
  afterEach(() => {
    app.close();
    tmp.cleanup();
  });

  const rows = <T>(sql: string, ...params: unknown[]): T[] => {
    const raw = new Database(db, { readonly: true });
    try {
      return raw.prepare(sql).all(...params) as T[];
    } finally {
      raw.close();
    }
  };
  const sessionAgent = async (): Promise<string> => {
    const start = await runHook('session-start', fixture('session-start', repo), { env });
    expect(start.code, start.stderr).toBe(0);
    return /\((agt_[0-9a-z]+), role/.exec(specific(start.json)!.additionalContext!)![1]!;
  };
  const bobClaims = async (pattern: string): Promise<{ agentId: string; claimId: string }> => {
    const bob = await registerAgent(app.deps, { name: 'bob', role: 'implementer', workspace: repo });
    const outcome = await claimScope(app.deps, bob.agent.id, { scopes: [{ kind: 'path', pattern }], workspace: repo, reason: 'rewriting the users API' });
    expect(outcome.granted).toBe(true);
    return { agentId: bob.agent.id, claimId: outcome.claims[0]!.claim.id };
  };

  it('session-start registers the session agent once, in a user-only binding file, and briefs the model', async () => {
    const first = await runHook('session-start', fixture('session-start', repo), { env });
    expect(first.code, first.stderr).toBe(0);
    const out = specific(first.json)!;
    expect(out.hookEventName).toBe('SessionStart');
    expect(out.additionalContext).toMatch(/you are agent claude@repo\/[\w.-]+ \(agt_[0-9a-z]+, role implementer\)/);
    expect(out.additionalContext).toContain('do not call register_agent');
    expect(out.additionalContext).toContain('Runs you hold: none.');
    const agents = rows<{ id: string; name: string; role: string; workspace: string }>('SELECT id, name, role, workspace FROM agents');
    expect(agents).toHaveLength(1);
    expect(agents[0]).toMatchObject({ name: expect.stringMatching(/^claude@repo\/[\w.-]+$/) as unknown as string, role: 'implementer', workspace: repo });

    const sessions = join(tmp.dir, 'data', 'sessions');
    expect(statSync(sessions).mode & 0o777).toBe(0o700);
    const files = readdirSync(sessions);
    expect(files).toHaveLength(1);
    expect(statSync(join(sessions, files[0]!)).mode & 0o777).toBe(0o600);

    // the same session (same anchor process: this test runner) resumes it; nothing new is registered
    const again = await runHook('session-start', fixture('session-start', repo, { source: 'resume' }), { env });
    expect(specific(again.json)!.additionalContext).toContain(agents[0]!.id);
    expect(rows('SELECT id FROM agents')).toHaveLength(1);
    expect(rows<{ n: number }>("SELECT count(*) AS n FROM events WHERE type = 'agent.registered'")[0]!.n).toBe(1);
  });

  it('session-start lists held runs and claims, signals, and what waits for the role', async () => {
    const me = await sessionAgent();
    await claimScope(app.deps, me, { scopes: [{ kind: 'path', pattern: 'src/api/**' }], workspace: repo });
    const { submitTask } = await import('../../src/services/runs/submit.js');
    await submitTask(app.deps, { kind: 'operator', name: 'ops' }, { title: 'Fix the flaky login test', instructions: 'make it pass', to_role: 'implementer' });
    await pauseAgent(app.deps, { kind: 'operator', name: 'ops' }, { agent_id: me, reason: 'hold on' });
    const out = specific((await runHook('session-start', fixture('session-start', repo), { env })).json)!;
    expect(out.additionalContext).toMatch(/Claims: clm_[0-9a-z]+ path `src\/api\/\*\*`/);
    expect(out.additionalContext).toMatch(/Signals \(act on these first\):\n- pause/);
    expect(out.additionalContext).toMatch(/Queued for role implementer: run_[0-9a-z]+ "Fix the flaky login test"/);
  });

  it("pre-tool-use denies an edit inside another live agent's exclusive claim, naming holder, claim and what to do", async () => {
    await sessionAgent();
    const bob = await bobClaims('src/api/**');
    for (const name of ['pre-tool-use-edit', 'pre-tool-use-multiedit']) {
      const res = await runHook('pre-tool-use', fixture(name, repo), { env });
      expect(res.code, res.stderr).toBe(0);
      const out = specific(res.json)!;
      expect(out.hookEventName).toBe('PreToolUse');
      expect(out.permissionDecision).toBe('deny');
      expect(out.permissionDecisionReason).toMatch(new RegExp(`src/api/users.ts is claimed exclusively by bob in this worktree, branch [\\w.-]+, host [^ ]+ \\(${bob.agentId}, active`));
      expect(out.permissionDecisionReason).toContain(`claim ${bob.claimId} on \`src/api/**\``);
      expect(out.permissionDecisionReason).toContain('rewriting the users API');
      expect(out.permissionDecisionReason).toMatch(/wait: .*\n- ask for it: raise_blocker .*\n- or pick other work/);
    }
    // outside the claim, another tool, or a file outside the workspace: no objection (and never "allow")
    expect((await runHook('pre-tool-use', fixture('pre-tool-use-write', repo), { env })).json).toEqual({});
    expect((await runHook('pre-tool-use', fixture('pre-tool-use-bash', repo), { env })).json).toEqual({});
    const outside = fixture('pre-tool-use-edit', repo, { tool_input: { file_path: '/etc/hosts', old_string: 'a', new_string: 'b' } });
    expect((await runHook('pre-tool-use', outside, { env })).json).toEqual({});
  });

  it('pre-tool-use lets the holder itself edit, and checks NotebookEdit by notebook_path', async () => {
    const me = await sessionAgent();
    await claimScope(app.deps, me, { scopes: [{ kind: 'path', pattern: 'src/**' }], workspace: repo });
    expect((await runHook('pre-tool-use', fixture('pre-tool-use-edit', repo), { env })).json).toEqual({});
    await bobClaims('notebooks/*.ipynb');
    const nb = await runHook('pre-tool-use', fixture('pre-tool-use-notebook', repo), { env });
    expect(specific(nb.json)!.permissionDecision).toBe('deny');
  });

  it('pre-tool-use --auto-claim claims the file for the session agent before allowing', async () => {
    const me = await sessionAgent();
    const payload = fixture('pre-tool-use-write', repo, { tool_input: { file_path: join(repo, 'src/app/[id]/page.tsx'), content: 'x' } });
    const res = await runHook('pre-tool-use', payload, { env, args: ['--auto-claim'] });
    expect(res.code, res.stderr).toBe(0);
    expect(res.json).toEqual({});
    const claims = rows<{ agent_id: string; pattern: string; mode: string; workspace: string }>("SELECT agent_id, pattern, mode, workspace FROM claims WHERE state = 'active'");
    // the workspace is the repository (no origin here: its git common directory)
    expect(claims).toEqual([{ agent_id: me, pattern: 'src/app/\\[id\\]/page.tsx', mode: 'exclusive', workspace: join(realpathSync(repo), '.git') }]);
    // the claim now keeps another agent out of exactly that file
    const bob = await registerAgent(app.deps, { name: 'bob', role: 'implementer', workspace: repo });
    const clash = await claimScope(app.deps, bob.agent.id, { scopes: [{ kind: 'path', pattern: 'src/app/*/page.tsx' }], workspace: repo });
    expect(clash.granted).toBe(false);
  });

  it('pre-tool-use asks (rather than denies) for a file the policy marks as needing approval', async () => {
    await sessionAgent();
    writeFileSync(join(tmp.dir, 'data', 'policy.json'), JSON.stringify({ claims_need_approval: [{ pattern: 'infra/**', reason: 'production infrastructure' }] }));
    const payload = fixture('pre-tool-use-edit', repo, { tool_input: { file_path: join(repo, 'infra/main.tf'), old_string: 'a', new_string: 'b' } });
    const out = specific((await runHook('pre-tool-use', payload, { env })).json)!;
    expect(out.permissionDecision).toBe('ask');
    expect(out.permissionDecisionReason).toContain('`infra/**`');
    expect(out.permissionDecisionReason).toContain('production infrastructure');
    expect((await runHook('pre-tool-use', fixture('pre-tool-use-edit', repo), { env })).json).toEqual({});

    // an unreadable policy fails closed: the person decides, and the hook logs why on stderr
    writeFileSync(join(tmp.dir, 'data', 'policy.json'), '{ "claims_need_approval": [ { "pattern": "/abs" } ] }');
    const invalid = await runHook('pre-tool-use', fixture('pre-tool-use-edit', repo), { env });
    expect(specific(invalid.json)!.permissionDecision).toBe('ask');
    expect(specific(invalid.json)!.permissionDecisionReason).toMatch(/the fleet policy cannot be read/);
    const line = JSON.parse(invalid.stderr.trim().split('\n')[0]!) as { level: number; msg: string };
    expect(line).toMatchObject({ level: 50, msg: 'policy file is invalid; governed actions are refused until it is fixed' });
  });

  it('post-tool-use and user-prompt-submit are a sign of life and deliver pending signals once', async () => {
    const me = await sessionAgent();
    const seenBefore = rows<{ last_seen_at: number }>('SELECT last_seen_at FROM agents WHERE id = ?', me)[0]!.last_seen_at;
    await pauseAgent(app.deps, { kind: 'operator', name: 'ops' }, { agent_id: me, reason: 'wait for the release' });
    const post = await runHook('post-tool-use', fixture('post-tool-use', repo), { env });
    expect(post.code, post.stderr).toBe(0);
    const out = specific(post.json)!;
    expect(out.hookEventName).toBe('PostToolUse');
    expect(out.additionalContext).toMatch(/^fleetdeck: 1 signal\(s\) for you/);
    expect(out.additionalContext).toMatch(/- pause: .*wait for the release/);
    // delivered once: the next hook has nothing to say
    expect((await runHook('post-tool-use', fixture('post-tool-use', repo), { env })).json).toEqual({});
    expect(rows<{ last_seen_at: number }>('SELECT last_seen_at FROM agents WHERE id = ?', me)[0]!.last_seen_at).toBeGreaterThanOrEqual(seenBefore);

    const { unpauseAgent } = await import('../../src/services/operator/pause.js');
    await unpauseAgent(app.deps, { kind: 'operator', name: 'ops' }, { agent_id: me });
    const prompt = specific((await runHook('user-prompt-submit', fixture('user-prompt-submit', repo), { env })).json)!;
    expect(prompt.hookEventName).toBe('UserPromptSubmit');
    expect(prompt.additionalContext).toMatch(/- resume/);
  });

  it('stop reminds an agent that still holds claims, and blocks only with --block-stop, once', async () => {
    const me = await sessionAgent();
    expect((await runHook('stop', fixture('stop', repo), { env })).json).toEqual({});
    await claimScope(app.deps, me, { scopes: [{ kind: 'path', pattern: 'src/api/**' }], workspace: repo });
    const remind = await runHook('stop', fixture('stop', repo), { env });
    expect(remind.json.decision).toBeUndefined();
    expect(remind.json.systemMessage).toMatch(/still holds 1 claim\(s\) \(`src\/api\/\*\*`\)/);
    const block = await runHook('stop', fixture('stop', repo), { env, args: ['--block-stop'] });
    expect(block.json.decision).toBe('block');
    expect(block.json.reason).toContain('release_scope');
    const active = await runHook('stop', fixture('stop-active', repo), { env, args: ['--block-stop'] });
    expect(active.json.decision).toBeUndefined();
  });

  it('fails open with a one-line warning when the database cannot be opened, and --strict exits 2', async () => {
    const blocked = join(tmp.dir, 'not-a-dir');
    writeFileSync(blocked, 'a file where the data directory should be');
    const badEnv = { FLEETDECK_DB: join(blocked, 'fleet.db') };
    await bobClaims('src/api/**');
    for (const event of ['session-start', 'pre-tool-use', 'post-tool-use', 'user-prompt-submit', 'stop']) {
      const res = await runHook(event, fixture(event === 'pre-tool-use' ? 'pre-tool-use-edit' : event, repo), { env: badEnv });
      expect(res.code, event).toBe(0);
      expect(res.json.hookSpecificOutput, event).toBeUndefined();
      expect(res.json.systemMessage, event).toMatch(new RegExp(`^fleetdeck hook ${event}: fleetdeck unavailable \\(.+\\); continuing without it$`));
      expect(res.stderr.trim().split('\n'), event).toHaveLength(1);
    }
    const strict = await runHook('pre-tool-use', fixture('pre-tool-use-edit', repo), { env: badEnv, args: ['--strict'] });
    expect(strict.code).toBe(2);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toMatch(/fleetdeck hook pre-tool-use: fleetdeck unavailable/);
  });

  it('refuses malformed input (fail-open), and FLEETDECK_HOOKS_DISABLE turns a hook off', async () => {
    const bad = await runHook('pre-tool-use', '{"tool_input": "not an object"', { env });
    expect(bad.code).toBe(0);
    expect(bad.json.systemMessage).toMatch(/INVALID_INPUT: hook input: not JSON/);
    const wrongType = await runHook('pre-tool-use', { cwd: repo, tool_name: 'Edit', tool_input: { file_path: 42 } }, { env, args: ['--strict'] });
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toMatch(/file_path must be a string/);
    await bobClaims('src/api/**');
    const off = await runHook('pre-tool-use', fixture('pre-tool-use-edit', repo), { env: { ...env, FLEETDECK_HOOKS_DISABLE: 'stop,pre-tool-use' } });
    expect(off.json).toEqual({});
    const unknown = await runHook('pre-compact', {}, { env });
    expect(unknown.code).toBe(1);
  });

  it('FLEETDECK_AGENT_ID names the agent explicitly; an unknown one fails (open)', async () => {
    const alice = await registerAgent(app.deps, { name: 'alice', role: 'reviewer', workspace: repo });
    const start = await runHook('session-start', fixture('session-start', repo), { env: { ...env, FLEETDECK_AGENT_ID: alice.agent.id } });
    expect(specific(start.json)!.additionalContext).toContain(`agent alice (${alice.agent.id}, role reviewer)`);
    expect(rows('SELECT id FROM agents')).toHaveLength(1);
    const unknown = await runHook('post-tool-use', fixture('post-tool-use', repo), { env: { ...env, FLEETDECK_AGENT_ID: 'agt_doesnotexist' } });
    expect(unknown.json.systemMessage).toMatch(/FORBIDDEN: FLEETDECK_AGENT_ID agt_doesnotexist is unknown/);
  });
});
