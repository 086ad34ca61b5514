/**
 * A hook is a new process on every tool call: what it loads is its start-up time. The built CLI
 * runs with a resolve hook that records every module the process resolves; the hook path must
 * never load the MCP SDK, and loads the PostgreSQL driver only for a postgres:// database.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { fixture, gitRepo, hookEnv, runHook } from '../helpers/hooks.js';
import { CLI } from '../helpers/stdio.js';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const DIST_URL = new URL('../../dist/', import.meta.url).href;
const RECORD = fileURLToPath(new URL('../fixtures/imports/record.mjs', import.meta.url));

describe('the hook import graph', () => {
  let tmp: { dir: string; cleanup: () => void };
  let repo: string;
  let log: string;
  beforeEach(() => {
    tmp = tempDir();
    repo = join(tmp.dir, 'repo');
    gitRepo(repo);
    log = join(tmp.dir, 'imports.log');
  });
  afterEach(() => tmp.cleanup());

  // dist/ is a bundle: a loaded chunk stands for the sources it holds (dist/chunk-sources.json, from the build)
  const loaded = () => {
    const chunks = JSON.parse(readFileSync(join(DIST, 'chunk-sources.json'), 'utf8')) as Record<string, string[]>;
    return readFileSync(log, 'utf8').split('\n').filter(Boolean).flatMap((url) => {
      const inDist = url.startsWith(DIST_URL) ? chunks[url.slice(DIST_URL.length)] : undefined;
      return inDist ? [url, ...inDist.map((s) => `/${s}`)] : [url];
    });
  };
  const env = (db: string) => ({ FLEETDECK_DB: db, FLEETDECK_DATA_DIR: join(tmp.dir, 'data'), FLEETDECK_IMPORT_LOG: log, NODE_OPTIONS: `--import=${RECORD}` });

  it('on SQLite: neither the MCP SDK nor pg', async () => {
    // the fleet exists first: a hook never creates one
    mkdirSync(join(tmp.dir, 'data'), { recursive: true });
    execFileSync(process.execPath, [CLI, 'token', 'create', '--operator', '--db', join(tmp.dir, 'data', 'fleet.db')], { env: hookEnv({ FLEETDECK_DATA_DIR: join(tmp.dir, 'data') }), stdio: 'ignore' });
    const run = await runHook('post-tool-use', fixture('post-tool-use', repo), { env: env(join(tmp.dir, 'data', 'fleet.db')) });
    expect(run.code, run.stderr).toBe(0);
    const urls = loaded();
    expect(urls.some((u) => u.includes('/hooks/post-tool-use.'))).toBe(true); // the recorder saw the hook's own modules
    expect(urls.some((u) => u.includes('better-sqlite3'))).toBe(true);
    expect(urls.filter((u) => u.includes('@modelcontextprotocol'))).toEqual([]);
    expect(urls.filter((u) => /\/node_modules\/pg\//.test(u) || u.includes('/store/postgres/pg-store'))).toEqual([]);
  });

  it('on a postgres:// URL: pg, and still no MCP SDK and no SQLite driver', async () => {
    // nothing listens on port 1: the hook fails open, after loading what a PostgreSQL hook loads
    const run = await runHook('post-tool-use', fixture('post-tool-use', repo), { env: env('postgres://nobody@127.0.0.1:1/fleet') });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/fleetdeck unavailable/);
    const urls = loaded();
    expect(urls.some((u) => /\/node_modules\/pg\//.test(u))).toBe(true);
    expect(urls.filter((u) => u.includes('@modelcontextprotocol'))).toEqual([]);
    expect(urls.filter((u) => u.includes('better-sqlite3'))).toEqual([]);
  });
});
