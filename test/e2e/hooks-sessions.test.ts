/**
 * Two Claude Code sessions, each a fake Claude process (test/fixtures/hooks/fake-claude.mjs) with
 * its hooks and its own `fleetdeck serve --session` MCP server, on one database.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../helpers/stdio.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { FakeClaude, fixture, gitRepo, hookEnv } from '../helpers/hooks.js';

type HookSpecific = { additionalContext?: string; permissionDecision?: string; permissionDecisionReason?: string };
const agentIdIn = (text: string | undefined) => /\((agt_[0-9a-z]+), role/.exec(text ?? '')?.[1];

describe('two Claude Code sessions on one fleet', () => {
  let tmp: { dir: string; cleanup: () => void };
  let main: string;
  let second: string;
  let env: Record<string, string>;
  const sessions: FakeClaude[] = [];

  beforeEach(() => {
    tmp = tempDir();
    const root = realpathSync(tmp.dir);
    main = join(root, 'repo');
    second = join(root, 'repo-second');
    gitRepo(main);
    execFileSync('git', ['-C', main, 'worktree', 'add', '-q', '-b', 'second', second]);
    mkdirSync(join(root, 'data')); // --db names a file in an existing directory (only the default data directory is created)
    env = { FLEETDECK_DB: join(root, 'data', 'fleet.db') };
    // a named database must exist before sessions use it (they never create one by accident)
    execFileSync(process.execPath, [CLI, 'token', 'create', '--operator', '--db', env.FLEETDECK_DB!], { env: hookEnv({}), stdio: 'ignore' });
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.exit()));
    tmp.cleanup();
  });

  const start = async (cwd: string): Promise<FakeClaude> => {
    const s = await FakeClaude.start(cwd, env);
    sessions.push(s);
    return s;
  };

  it('each session is one agent shared by its hooks and its MCP server; two worktrees are two agents', async () => {
    const [a, b] = await Promise.all([start(main), start(second)]);
    // the server of A starts first; the hook of B comes first in B
    await a.serve();
    const whoA = await a.tool<{ agent: { agent_id: string; workspace: string } }>('whoami');
    const startA = await a.hook('session-start', fixture('session-start', main));
    expect(agentIdIn((startA.json.hookSpecificOutput as HookSpecific).additionalContext)).toBe(whoA.structuredContent.agent.agent_id);
    expect(whoA.structuredContent.agent.workspace).toBe(main);

    const startB = await b.hook('session-start', fixture('session-start', second));
    const agentB = agentIdIn((startB.json.hookSpecificOutput as HookSpecific).additionalContext);
    await b.serve();
    const whoB = await b.tool<{ agent: { agent_id: string; workspace: string; name: string } }>('whoami');
    expect(whoB.structuredContent.agent.agent_id).toBe(agentB);
    expect(whoB.structuredContent.agent.workspace).toBe(second);
    expect(agentB).not.toBe(whoA.structuredContent.agent.agent_id);
    // the repository's name and the branch of the worktree: where the session works
    expect(whoB.structuredContent.agent.name).toBe('claude@repo/second');
  });

  it('two sessions in one worktree: the second is denied an edit of the first one\'s claimed file, then allowed after the release', async () => {
    const [a, b] = await Promise.all([start(main), start(main)]);
    // each session's server and first hook start at the same moment: they still agree on one agent
    const [, startA, , startB] = await Promise.all([a.serve(), a.hook('session-start', fixture('session-start', main)), b.serve(), b.hook('session-start', fixture('session-start', main))]);
    const [whoA, whoB] = await Promise.all([a.tool<{ agent: { agent_id: string } }>('whoami'), b.tool<{ agent: { agent_id: string } }>('whoami')]);
    expect(agentIdIn((startA.json.hookSpecificOutput as HookSpecific).additionalContext)).toBe(whoA.structuredContent.agent.agent_id);
    expect(agentIdIn((startB.json.hookSpecificOutput as HookSpecific).additionalContext)).toBe(whoB.structuredContent.agent.agent_id);
    expect(whoA.structuredContent.agent.agent_id).not.toBe(whoB.structuredContent.agent.agent_id);

    const claim = await a.tool<{ granted: boolean; claims: { claim_id: string }[] }>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/api/**' }], reason: 'users API' });
    expect(claim.structuredContent.granted).toBe(true);
    const edit = fixture('pre-tool-use-edit', main);

    const denied = await b.hook('pre-tool-use', edit);
    const out = denied.json.hookSpecificOutput as HookSpecific;
    expect(out.permissionDecision).toBe('deny');
    // distinct names: the deny names A, never B itself, and says where A works
    expect(out.permissionDecisionReason).toMatch(new RegExp(`claimed exclusively by claude@repo/[\\w.#-]+ in this worktree, branch [\\w.-]+, host [^ ]+ \\(${whoA.structuredContent.agent.agent_id}`));
    const [nameA, nameB] = await Promise.all([a.tool<{ agent: { name: string } }>('whoami'), b.tool<{ agent: { name: string } }>('whoami')]).then((r) => r.map((x) => x.structuredContent.agent.name));
    expect([nameA, nameB].sort()).toEqual([nameA!.replace(/#2$/, ''), `${nameA!.replace(/#2$/, '')}#2`].sort());
    expect(out.permissionDecisionReason).not.toContain(`${nameB} `);
    expect(out.permissionDecisionReason).toContain(claim.structuredContent.claims[0]!.claim_id);
    // the holder itself is not stopped
    expect((await a.hook('pre-tool-use', edit)).json).toEqual({});

    const released = await a.tool<{ released: string[] }>('release_scope', { all: true });
    expect(released.structuredContent.released).toHaveLength(1);
    expect((await b.hook('pre-tool-use', edit)).json).toEqual({});
  });
});
