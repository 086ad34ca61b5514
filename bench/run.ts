/**
 * `npm run bench`: runs every bench module in sequence and prints one Markdown report to stdout,
 * also written to bench/results/latest.md. Copy the figures into docs/PERFORMANCE.md by hand.
 * Modules that do not exist yet are skipped, so the runner works while they are being written.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchFoundation } from './foundation.js';
import { fmtMb, REPO_ROOT } from './lib.js';

type Bench = () => Promise<string>;

/** Optional modules by other authors: file, exported function. */
const OPTIONAL: { file: string; exportName: string }[] = [
  { file: 'startup.ts', exportName: 'benchStartup' },
  { file: 'core.ts', exportName: 'benchCore' },
  { file: 'claims.ts', exportName: 'benchClaims' },
  { file: 'queue.ts', exportName: 'benchQueue' },
  { file: 'http.ts', exportName: 'benchHttp' },
  { file: 'hooks.ts', exportName: 'benchHooks' },
  { file: 'console.ts', exportName: 'benchConsole' },
  { file: 'pg.ts', exportName: 'benchPg' },
  { file: 'agentq.ts', exportName: 'benchAgentq' },
  { file: 'history.ts', exportName: 'benchHistoryLarge' },
  { file: 'steady-state.ts', exportName: 'benchSteadyState' },
];

function machine(): string {
  const sqlite = new Database(':memory:');
  const sqliteVersion = sqlite.prepare('SELECT sqlite_version()').pluck().get() as string;
  sqlite.close();
  let fs = 'unknown';
  try {
    fs = execFileSync('df', ['-T', tmpdir()], { encoding: 'utf8' }).trim().split('\n')[1]?.split(/\s+/)[1] ?? 'unknown';
  } catch {
    // df is not everywhere
  }
  const cpu = cpus();
  return [
    '## Machine',
    '',
    `- CPU: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} logical cores (${arch()})`,
    `- Memory: ${fmtMb(totalmem()).replace(/\.\d$/, '')} MB`,
    `- OS: ${platform()} ${release()}; temp files on ${fs} (${tmpdir()})`,
    `- Node ${process.version}, SQLite ${sqliteVersion} (better-sqlite3)`,
    `- Load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')} (1 / 5 / 15 min; other work on the machine shows here)`,
  ].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const parts: string[] = [`# fleetdeck benchmarks`, '', `Run ${new Date(started).toISOString()}.`, '', machine()];
  const benches: [string, Bench][] = [['foundation', benchFoundation]];
  for (const { file, exportName } of OPTIONAL) {
    const url = new URL(`./${file}`, import.meta.url);
    if (!existsSync(fileURLToPath(url))) continue;
    const mod = (await import(url.href)) as Record<string, unknown>;
    if (typeof mod[exportName] === 'function') benches.push([file, mod[exportName] as Bench]);
    else process.stderr.write(`bench/${file} does not export ${exportName}; skipped\n`);
  }
  for (const [name, bench] of benches) {
    process.stderr.write(`running ${name}…\n`);
    const t = Date.now();
    parts.push('', (await bench()).trim());
    process.stderr.write(`${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  }
  parts.push(
    '',
    `_Load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}; total ${((Date.now() - started) / 1000).toFixed(0)} s._`,
  );
  const report = `${parts.join('\n')}\n`;
  const out = new URL('./results/', import.meta.url);
  mkdirSync(out, { recursive: true });
  writeFileSync(new URL('latest.md', out), report);
  process.stdout.write(report);
  process.stderr.write(`written to ${fileURLToPath(new URL('latest.md', out)).replace(`${REPO_ROOT}`, '')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
