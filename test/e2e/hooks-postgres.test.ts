/**
 * The hooks on a postgres:// database: there is no database file, so the session binding files
 * (and the token vault) live in the data directory: by default the database's own folder in the
 * per-user one ($XDG_DATA_HOME/fleetdeck/postgres/<db>-<hash>), or --data-dir / FLEETDECK_DATA_DIR.
 * The deny rule is the same.
 */
import { existsSync, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, postgresDataDir } from '../../src/config.js';
import { openApp, type App } from '../../src/main.js';
import { registerAgent } from '../../src/services/agents.js';
import { claimScope } from '../../src/services/claims/claim.js';
import { silentLogger, tempDir } from '../helpers/app.js';
import { fixture, gitRepo, runHook } from '../helpers/hooks.js';
import { createTestDatabase, postgresOrSkip, type TestDatabase } from '../helpers/postgres.js';

const available = await postgresOrSkip('the Claude Code hooks on PostgreSQL');

type HookSpecific = { additionalContext?: string; permissionDecision?: string; permissionDecisionReason?: string };
const specific = (json: Record<string, unknown>) => json.hookSpecificOutput as HookSpecific | undefined;

describe.skipIf(!available)('fleetdeck hook with --db postgres://…', () => {
  let db: TestDatabase;
  let tmp: ReturnType<typeof tempDir>;
  let repo: string;
  let xdg: string;
  let app: App;
  beforeAll(async () => {
    db = await createTestDatabase();
    tmp = tempDir();
    repo = join(realpathSync(tmp.dir), 'repo');
    gitRepo(repo);
    mkdirSync(join(repo, 'src'), { recursive: true });
    xdg = join(tmp.dir, 'xdg');
    app = await openApp(loadConfig({ db: db.url, workspace: repo, dataDir: join(tmp.dir, 'ops') }, {}), { logger: silentLogger });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    tmp?.cleanup();
  });

  const agentIn = (context: string | undefined) => /\((agt_[0-9a-z]+), role/.exec(context ?? '')![1]!;

  it("keeps the session file in the database's folder of the per-user data directory by default, user-only", async () => {
    const start = await runHook('session-start', fixture('session-start', repo), { env: { FLEETDECK_DB: db.url, XDG_DATA_HOME: xdg } });
    expect(start.code, start.stderr).toBe(0);
    const agentId = agentIn(specific(start.json)?.additionalContext);

    const dataDir = postgresDataDir(db.url, { XDG_DATA_HOME: xdg });
    expect(dataDir.startsWith(join(xdg, 'fleetdeck', 'postgres') + '/')).toBe(true);
    const sessions = join(dataDir, 'sessions');
    expect(statSync(sessions).mode & 0o777).toBe(0o700);
    const files = readdirSync(sessions).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    expect(statSync(join(sessions, files[0]!)).mode & 0o777).toBe(0o600);
    expect(existsSync(join(xdg, 'fleetdeck', 'fleet.db'))).toBe(false);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; name: string }>('SELECT id, name FROM agents WHERE id = $1', [agentId]);
      expect(rows).toEqual([{ id: agentId, name: expect.stringMatching(/^claude@repo\/[\w.-]+$/) as unknown as string }]);
    } finally {
      await client.end();
    }

    // the same session finds the same agent again
    const again = await runHook('session-start', fixture('session-start', repo), { env: { FLEETDECK_DB: db.url, XDG_DATA_HOME: xdg } });
    expect(agentIn(specific(again.json)?.additionalContext)).toBe(agentId);
  });

  it('FLEETDECK_DATA_DIR moves it, and an edit of a file another agent claimed is denied', async () => {
    const dataDir = join(tmp.dir, 'explicit-data');
    const env = { FLEETDECK_DB: db.url, FLEETDECK_DATA_DIR: dataDir, XDG_DATA_HOME: join(tmp.dir, 'unused-xdg') };
    const start = await runHook('session-start', fixture('session-start', repo), { env });
    expect(start.code, start.stderr).toBe(0);
    expect(readdirSync(join(dataDir, 'sessions')).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(existsSync(join(tmp.dir, 'unused-xdg'))).toBe(false);

    const bob = await registerAgent(app.deps, { name: 'bob', role: 'implementer', workspace: repo });
    const claimed = await claimScope(app.deps, bob.agent.id, { scopes: [{ kind: 'path', pattern: 'src/api/**' }], workspace: repo, reason: 'rewriting the users API' });
    expect(claimed.granted).toBe(true);

    const pre = await runHook('pre-tool-use', fixture('pre-tool-use-edit', repo), { env });
    expect(pre.code, pre.stderr).toBe(0);
    const out = specific(pre.json)!;
    expect(out.permissionDecision).toBe('deny');
    expect(out.permissionDecisionReason).toContain('bob');
    expect(out.permissionDecisionReason).toContain(claimed.claims[0]!.claim.id);
  });
});
