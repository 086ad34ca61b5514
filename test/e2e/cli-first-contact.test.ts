/**
 * What a person meets first at the `fleetdeck` command (issue 14): help and version, groups,
 * mistakes (an unknown command, a mistyped --db), and the screens an operator reads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, openTestApp, tempDir, type TestApp } from '../helpers/app.js';
import { CLI, REPO_ROOT } from '../helpers/stdio.js';

function fleetdeck(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', FLEETDECK_LOG_LEVEL: 'warn', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('fleetdeck help, version and mistakes', () => {
  it('-v, --version and version print the version', () => {
    for (const flag of ['-v', '--version', 'version']) expect(fleetdeck([flag])).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it('help lists every command by section; help COMMAND shows that command', () => {
    const help = fleetdeck(['help']);
    expect(help.code).toBe(0);
    for (const section of ['Start and set up:', 'Look at the fleet:', 'Act as the operator:', 'Tokens, audit and policy:']) expect(help.stdout).toContain(section);
    expect(help.stdout).toMatch(/fleetdeck token create\s+create a bearer token/);
    for (const line of help.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    const runs = fleetdeck(['help', 'runs']);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(/^fleetdeck runs: list runs/);
    expect(runs.stdout).toContain('fleetdeck runs [--state');
    expect(fleetdeck(['runs', '--help']).stdout).toBe(runs.stdout);
  });

  it('a group without its subcommand lists the subcommands', () => {
    for (const [group, subs] of [
      ['token', ['token create', 'token list', 'token revoke']],
      ['audit', ['audit verify']],
      ['policy', ['policy check']],
    ] as const) {
      const r = fleetdeck([group]);
      expect(r.code, group).toBe(0);
      expect(r.stdout).toContain(`'fleetdeck ${group}' needs a subcommand`);
      for (const sub of subs) expect(r.stdout).toContain(`fleetdeck ${sub}`);
    }
    expect(fleetdeck(['help', 'token']).stdout).toContain('fleetdeck token revoke');
    const wrong = fleetdeck(['token', 'frob']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("unknown command 'token frob'");
    expect(wrong.stderr).toContain('fleetdeck token create');
  });

  it('an unknown command is named without its flags, with the nearest command', () => {
    const r = fleetdeck(['statsu', '--db', '/tmp/x.db', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown command 'statsu'");
    expect(r.stderr).not.toContain('--db');
    expect(r.stderr).toContain("Did you mean 'fleetdeck stats'?");
    expect(r.stdout).toBe('');
  });
});

describe('a mistyped --db', () => {
  let tmp: { dir: string; cleanup: () => void };
  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(() => tmp.cleanup());

  it('is refused by the commands that read or act on a fleet, naming the file and creating nothing', () => {
    const typo = join(tmp.dir, 'flet.db');
    for (const command of [['status'], ['runs'], ['claims'], ['events'], ['agents'], ['triage'], ['blockers'], ['handoffs'], ['dlq'], ['stats'], ['audit', 'verify'], ['approve', 'blk_x']]) {
      const r = fleetdeck([...command, '--db', typo]);
      expect(r.code, command.join(' ')).toBe(1);
      expect(r.stderr, command.join(' ')).toContain(`no fleet database at ${typo}`);
    }
    const doctor = fleetdeck(['doctor', '--db', typo]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(`no database at ${typo}`);
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('in a directory that does not exist is refused by the commands that start a fleet, naming the directory', () => {
    const missing = join(tmp.dir, 'no', 'such', 'dir');
    for (const command of [['serve'], ['token', 'create', '--operator'], ['init', '--dir', tmp.dir]]) {
      const r = fleetdeck([...command, '--db', join(missing, 'fleet.db')]);
      expect(r.code, command.join(' ')).toBe(1);
      expect(r.stderr, command.join(' ')).toContain(`directory ${missing} does not exist`);
    }
    expect(existsSync(join(tmp.dir, 'no'))).toBe(false);
  });

  it('npm start --silent writes nothing but the protocol on stdout (clients may run the server that way)', () => {
    const ping = `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })}\n`;
    const r = spawnSync('npm', ['start', '--silent'], {
      cwd: REPO_ROOT,
      input: ping,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', FLEETDECK_DB: join(tmp.dir, 'npm-start.db'), FLEETDECK_LOG_LEVEL: 'info' },
    });
    const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toEqual([JSON.stringify({ result: {}, jsonrpc: '2.0', id: 1 })]);
  });

  it('commands that start a fleet create it in an existing directory, and in the default data directory', () => {
    mkdirSync(join(tmp.dir, 'fleets'));
    const db = join(tmp.dir, 'fleets', 'team.db');
    expect(fleetdeck(['token', 'create', '--operator', '--db', db]).code).toBe(0);
    expect(existsSync(db)).toBe(true);
    expect(fleetdeck(['status', '--db', db]).code).toBe(0);
    // the default data directory is fleetdeck's own: created on first use
    const home = join(tmp.dir, 'home');
    const r = fleetdeck(['token', 'create', '--operator'], { XDG_DATA_HOME: join(home, 'data') });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(home, 'data', 'fleetdeck', 'fleet.db'))).toBe(true);
  });
});

describe('the operator screens', () => {
  let t: TestApp;
  let db: string;
  let blockerId: string;
  let runId: string;
  beforeAll(async () => {
    t = await openTestApp();
    db = t.config.db;
    const lead = await connectClient(t.app);
    await lead.ok('register_agent', { name: 'lead', role: 'coordinator' });
    const worker = await connectClient(t.app);
    await worker.ok('register_agent', { name: 'wanda', role: 'implementer' });
    const longTitle = `Rewrite the billing reconciliation job so that it ${'handles partial refunds and currency rounding '.repeat(4)}`;
    await lead.ok('submit_task', { title: longTitle.slice(0, 400), instructions: 'see the ticket', to_role: 'implementer' });
    const took = await worker.ok<{ run: { run_id: string } }>('take_task');
    runId = took.run.run_id;
    const blocker = await worker.ok<{ blocker_id: string }>('raise_blocker', { run_id: runId, kind: 'decision', question: 'Round half up or half to even?', options: ['half up', 'half even'] });
    blockerId = blocker.blocker_id;
    await worker.close();
    await lead.close();
  });
  afterAll(() => t.close());

  it('triage reads as a screen for a person: tables, and the CLI commands that act', () => {
    const r = fleetdeck(['triage', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^triage\s/);
    expect(r.stdout).toContain('OPEN BLOCKERS (1)');
    expect(r.stdout).toMatch(/BLOCKER\s+KIND\s+WAITING\s+RUN\s+OWNER\s+QUESTION/);
    expect(r.stdout).toContain(blockerId);
    expect(r.stdout).toContain(`fleetdeck approve ${blockerId}`);
    // no instructions to a model, no MCP tool names
    expect(r.stdout).not.toMatch(/resolve_blocker|requeue_run|Summarise|##/);
  });

  it('events name the agents and show the payload as key=value', () => {
    const r = fleetdeck(['events', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const raised = r.stdout.split('\n').find((l) => l.includes('blocker.raised'));
    expect(raised).toBeDefined();
    expect(raised).toContain('wanda');
    expect(raised).not.toMatch(/"\w+":/); // not raw JSON
    expect(r.stdout).toMatch(/agent\.registered\s+lead\b.*name=lead role=coordinator/);
  });

  it('wide tables print whole off a terminal, fit $COLUMNS when it is set, and never cut an id', () => {
    for (const command of [['runs'], ['status'], ['blockers'], ['agents'], ['triage'], ['claims']]) {
      const r = fleetdeck([...command, '--db', db], { COLUMNS: '100' });
      expect(r.code, command.join(' ')).toBe(0);
      for (const line of r.stdout.split('\n')) expect(line.length, `${command.join(' ')}: ${line}`).toBeLessThanOrEqual(100);
    }
    // piped to a file or a program: nothing is cut
    const piped = fleetdeck(['runs', '--db', db]).stdout;
    expect(piped).toContain(runId);
    expect(piped).not.toContain('…');
    // a narrower terminal (off a TTY, $COLUMNS says how wide) narrows the text columns, not the ids
    const narrow = fleetdeck(['runs', '--db', db], { COLUMNS: '72' }).stdout;
    expect(narrow).toContain(runId);
    for (const line of narrow.split('\n')) expect(line.length, line).toBeLessThanOrEqual(72);
  });

  it('table headers are upper case everywhere', () => {
    for (const command of [['runs'], ['dlq'], ['handoffs'], ['token', 'list']]) {
      const header = fleetdeck([...command, '--db', db]).stdout.split('\n').find((l) => /^[A-Z]{2,}\s/.test(l));
      expect(header, command.join(' ')).toBeDefined();
    }
  });

  it('hints name CLI commands, not MCP tools', () => {
    const r = fleetdeck(['handoff', 'hof_nosuch', '--db', db]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('NOT_FOUND');
    expect(r.stderr).toContain('fleetdeck handoffs');
    expect(r.stderr).not.toMatch(/list_handoffs|get_run|list_runs/);
  });

  it('doctor reports the SDK version the built server runs', () => {
    const sdk = (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/@modelcontextprotocol/sdk/package.json'), 'utf8')) as { version: string }).version;
    const r = fleetdeck(['doctor', '--json', '--db', db]);
    const versions = (JSON.parse(r.stdout) as { checks: { name: string; detail: string }[] }).checks.find((c) => c.name === 'versions');
    expect(versions?.detail).toContain(`@modelcontextprotocol/sdk ${sdk} (bundled)`);
  });
});
