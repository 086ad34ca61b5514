import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gitTopLevel } from '../../hooks/workspace.js';
import { openApp } from '../../main.js';
import { verifyAudit } from '../../services/audit.js';
import { isPostgresUrl, knownSchemaVersion, redactUrl } from '../../store/open-store.js';
import { VERSION } from '../../version.js';
import { configFrom, flag, type Command } from '../command.js';
import { colour, printJson, printLine } from '../output.js';
import { CLI_PATH } from './init.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';
export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  hint?: string;
}

const mode = (path: string) => statSync(path).mode & 0o777;
const octal = (m: number) => `0${m.toString(8)}`;

function packageVersion(name: string): string | null {
  try {
    const require = createRequire(import.meta.url);
    // the package's own package.json may not be exported: find it from the resolved entry
    let dir = require.resolve(name).replace(/[\\/][^\\/]+$/, '');
    for (let i = 0; i < 6; i++) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version ?? null;
      }
      dir = join(dir, '..');
    }
  } catch {
    // not installed
  }
  return null;
}

// Set by scripts/build.mjs: the versions of the packages bundled into dist/, which are the ones
// a built server runs whatever node_modules holds now.
declare const __FLEETDECK_BUNDLED__: { sdk: string } | undefined;

/** The SDK this process runs: the bundled one in dist/, else the one node resolves from here. */
export function sdkVersion(): string {
  if (typeof __FLEETDECK_BUNDLED__ !== 'undefined') return `${__FLEETDECK_BUNDLED__.sdk} (bundled)`;
  return packageVersion('@modelcontextprotocol/sdk') ?? '?';
}

/** The vault: a 0700 folder of 0600 files (each an agent's token). */
function vaultCheck(dataDir: string): Check {
  const dir = join(dataDir, 'tokens');
  if (!existsSync(dir)) return { name: 'token vault', status: 'ok', detail: 'no vault yet (no agent registered from this OS user)' };
  const problems: string[] = [];
  if (mode(dir) !== 0o700) problems.push(`${dir} is ${octal(mode(dir))}`);
  const files = readdirSync(dir);
  for (const f of files) if ((mode(join(dir, f)) & 0o077) !== 0) problems.push(`${f} is ${octal(mode(join(dir, f)))}`);
  return problems.length
    ? { name: 'token vault', status: 'fail', detail: problems.slice(0, 5).join('; '), hint: `chmod 700 ${dir} && chmod 600 ${dir}/*` }
    : { name: 'token vault', status: 'ok', detail: `${files.length} token file(s), user-only` };
}

/** Every check `fleetdeck doctor` runs, in order; a missing database is reported, never created. */
export async function runChecks(args: Parameters<Command['run']>[0]): Promise<Check[]> {
  const config = configFrom(args);
  const checks: Check[] = [];
  const postgres = isPostgresUrl(config.db);
  const where = postgres ? redactUrl(config.db) : config.db;
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  checks.push({
    name: 'versions',
    status: nodeMajor >= 20 ? 'ok' : 'fail',
    detail: `fleetdeck ${VERSION}, node ${process.versions.node}, @modelcontextprotocol/sdk ${sdkVersion()}, ${postgres ? `pg ${packageVersion('pg') ?? '?'}` : `better-sqlite3 ${packageVersion('better-sqlite3') ?? '?'}`}`,
    ...(nodeMajor >= 20 ? {} : { hint: 'fleetdeck needs Node 20 or newer' }),
  });

  // With PostgreSQL the data directory only holds this user's token vault: it may not exist yet.
  if (!existsSync(config.dataDir) && !postgres) {
    checks.push({ name: 'data directory', status: 'fail', detail: `${config.dataDir} does not exist`, hint: 'start a server (fleetdeck serve) or pass --db PATH' });
    return checks;
  }
  if (existsSync(config.dataDir)) {
    const dirMode = mode(config.dataDir);
    checks.push(
      (dirMode & 0o077) === 0
        ? { name: 'data directory', status: 'ok', detail: `${config.dataDir} (${octal(dirMode)})` }
        : { name: 'data directory', status: 'warn', detail: `${config.dataDir} is ${octal(dirMode)}: other users can list it`, hint: `chmod 700 ${config.dataDir}` },
    );
  }
  if (!postgres && !existsSync(config.db)) {
    checks.push({ name: 'database', status: 'fail', detail: `no database at ${config.db}`, hint: 'start a server (fleetdeck serve) or pass --db PATH' });
    return checks;
  }

  let app;
  try {
    app = await openApp({ ...config, logLevel: 'warn' });
  } catch (error) {
    checks.push({
      name: 'database',
      status: 'fail',
      detail: `cannot open ${where}: ${(error as Error).message}`,
      ...(postgres ? { hint: 'the server must be reachable and the database must exist (createdb NAME); fleetdeck creates its own tables' } : {}),
    });
    return checks;
  }
  try {
    const problems = await app.deps.store.integrityCheck();
    checks.push(
      problems.length === 0
        ? { name: 'database', status: 'ok', detail: postgres ? `${where} answers; chain head, indexes and constraints valid` : `${config.db} opens; integrity_check ok` }
        : { name: 'database', status: 'fail', detail: `integrity_check: ${problems.slice(0, 3).join('; ')}`, hint: 'restore from a backup; keep the damaged file for analysis' },
    );
    const known = await knownSchemaVersion(config.db);
    const version = await app.deps.store.schemaVersion();
    checks.push(
      version <= known
        ? { name: 'schema', status: 'ok', detail: `version ${version} (this fleetdeck knows up to ${known})` }
        : { name: 'schema', status: 'warn', detail: `version ${version} is newer than this fleetdeck (${known})`, hint: 'a newer fleetdeck wrote this database: upgrade this one' },
    );
    const audit = await verifyAudit(app.deps);
    checks.push(
      audit.ok
        ? { name: 'audit chain', status: 'ok', detail: `${audit.events} event(s) verify up to seq ${audit.lastSeq}` }
        : { name: 'audit chain', status: 'fail', detail: `broken at seq ${audit.firstBroken!.seq}: ${audit.firstBroken!.reason}`, hint: 'fleetdeck audit verify --json shows the first broken link' },
    );
  } finally {
    await app.close();
  }
  if (existsSync(config.dataDir)) checks.push(vaultCheck(config.dataDir));
  checks.push(mcpJsonCheck(config.db));
  return checks;
}

/**
 * Every form of server entry `fleetdeck init` writes (or wrote): the committed launcher
 * (`sh -c … .claude/fleetdeck.sh … serve`), `npx --no fleetdeck serve`, `fleetdeck serve`, and
 * `node …/dist/cli.js serve`.
 */
export function isFleetdeckServer(entry: { command?: unknown; args?: unknown }): boolean {
  const args = Array.isArray(entry.args) ? entry.args.map(String) : [];
  const words = [String(entry.command ?? ''), ...args];
  if (!words.includes('serve')) return false;
  return words.some((w) => /(^|\/)fleetdeck$/.test(w) || w.endsWith('cli.js') || w.includes('fleetdeck.sh'));
}

/** A project .mcp.json written by `fleetdeck init` that points at a missing CLI or another database. */
function mcpJsonCheck(db: string): Check {
  const file = join(gitTopLevel(process.cwd()), '.mcp.json');
  if (!existsSync(file)) return { name: '.mcp.json', status: 'ok', detail: 'none in this repository (fleetdeck init writes one)' };
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { mcpServers?: Record<string, { command?: string; args?: string[]; url?: string }> };
    const notes: string[] = [];
    let status: CheckStatus = 'ok';
    for (const [name, entry] of Object.entries(doc.mcpServers ?? {})) {
      const args = entry.args ?? [];
      if (!isFleetdeckServer(entry)) continue;
      const cli = args.find((a) => a.endsWith('cli.js')) ?? '';
      if (cli.startsWith('/') && !existsSync(cli)) {
        status = 'warn';
        notes.push(`${name}: ${cli} does not exist`);
      } else if (cli.startsWith('/')) {
        status = 'warn';
        notes.push(`${name}: names this machine's ${cli} in a file meant to be committed`);
      }
      const i = args.indexOf('--db');
      if (i >= 0 && args[i + 1] !== db) {
        status = 'warn';
        notes.push(`${name}: uses --db ${args[i + 1]}, not ${db}`);
      } else notes.push(`${name}: ok`);
    }
    return { name: '.mcp.json', status, detail: notes.length ? notes.join('; ') : 'no fleetdeck server in it', ...(status === 'warn' ? { hint: `fleetdeck init rewrites it without machine-specific paths (this CLI is ${CLI_PATH})` } : {}) };
  } catch (error) {
    return { name: '.mcp.json', status: 'warn', detail: `${file} is not valid JSON: ${(error as Error).message}` };
  }
}

export const doctorCommand: Command = {
  path: ['doctor'],
  summary: 'check the data directory, database health, audit chain, token vault and versions',
  usage: 'fleetdeck doctor [--json] [--db PATH]\nExit code 0 when nothing failed (warnings allowed), 1 otherwise.',
  options: {},
  async run(args) {
    const checks = await runChecks(args);
    const ok = checks.every((c) => c.status !== 'fail');
    if (flag(args, 'json')) {
      printJson({ ok, checks });
      return ok ? 0 : 1;
    }
    const mark = { ok: colour('ok  ', 'green'), warn: colour('warn', 'yellow'), fail: colour('FAIL', 'red') } as const;
    for (const c of checks) {
      printLine(`${mark[c.status]}  ${c.name.padEnd(15)} ${c.detail}`);
      if (c.hint) printLine(`      ${''.padEnd(15)} ${colour(`hint: ${c.hint}`, 'dim')}`);
    }
    return ok ? 0 : 1;
  },
};
