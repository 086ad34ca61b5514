/**
 * Claude Code hooks run as a new process on every matching tool call, so what counts is process
 * start to exit. Each row runs `node dist/cli.js hook …` with a recorded payload on stdin; the
 * baseline is a bare `node -e ''` in the same run, interleaved round-robin with the hook runs so
 * that every row sees the same machine load. `node + import zod` shows what validating the hook
 * input and settings with zod would add (docs/decisions.md).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { openApp } from '../src/main.js';
import { registerAgent } from '../src/services/agents.js';
import { claimScope } from '../src/services/claims/claim.js';
import { pino } from 'pino';
import { CLI, fmtMs, fmtRatio, percentile, REPO_ROOT, stats, table, tempDir } from './lib.js';

const ROUNDS = 30;
const WARMUP = 3;

function payload(name: string, workspace: string): string {
  return readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'hooks', `${name}.json`), 'utf8').replaceAll('__WORKSPACE__', workspace);
}

export async function benchHooks(): Promise<string> {
  const tmp = tempDir('fleetdeck-bench-hooks-');
  try {
    const repo = join(tmp.dir, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true }); // a git top-level is all the hook looks for
    const db = join(tmp.dir, 'data', 'fleet.db');
    const env: NodeJS.ProcessEnv = { ...process.env, FLEETDECK_DB: db, FLEETDECK_LOG_LEVEL: 'warn' };
    delete env.FLEETDECK_AGENT_ID;
    delete env.FLEETDECK_WORKSPACE;

    // another agent holds src/api/**, so the Edit of src/api/users.ts is denied
    const app = await openApp(loadConfig({ db, workspace: repo, agentLeaseSeconds: '86400' }, {}), { logger: pino({ level: 'silent' }) });
    const bob = await registerAgent(app.deps, { name: 'bob', role: 'implementer', workspace: repo });
    await claimScope(app.deps, bob.agent.id, { scopes: [{ kind: 'path', pattern: 'src/api/**' }], workspace: repo, ttl_seconds: 86_400 });
    app.close();

    const free = JSON.parse(payload('pre-tool-use-edit', repo)) as { tool_input: { file_path: string } };
    free.tool_input.file_path = join(repo, 'docs', 'notes.md');
    const rows: { label: string; run: () => void }[] = [
      { label: "baseline: `node -e ''`", run: () => spawnSync(process.execPath, ['-e', '']) },
      { label: 'node + import zod (for comparison)', run: () => spawnSync(process.execPath, ['--input-type=module', '-e', "await import('zod')"], { cwd: REPO_ROOT }) },
      ...[
        ['session-start', 'session-start', payload('session-start', repo)],
        ['pre-tool-use, Edit, no claim (answers {})', 'pre-tool-use', JSON.stringify(free)],
        ["pre-tool-use, Edit in another agent's claim (deny)", 'pre-tool-use', payload('pre-tool-use-edit', repo)],
        ['pre-tool-use, Bash (not a file tool)', 'pre-tool-use', payload('pre-tool-use-bash', repo)],
        ['post-tool-use (sign of life + signals)', 'post-tool-use', payload('post-tool-use', repo)],
        ['stop', 'stop', payload('stop', repo)],
      ].map(([label, event, input]) => ({
        label: `\`hook ${label}\``,
        run: () => {
          const r = spawnSync(process.execPath, [CLI, 'hook', event!], { input, env, cwd: repo });
          if (r.status !== 0 || r.stdout.toString().includes('unavailable')) throw new Error(`hook ${event} failed: ${r.stderr.toString()}`);
        },
      })),
    ];
    const samples = rows.map(() => [] as number[]);
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      rows.forEach((row, i) => {
        const start = performance.now();
        row.run();
        if (round >= WARMUP) samples[i]!.push(performance.now() - start);
      });
    }
    const base = stats(samples[0]!);
    const body = rows.map((row, i) => {
      const s = stats(samples[i]!);
      const p95 = percentile([...samples[i]!].sort((a, b) => a - b), 95);
      return [row.label, fmtMs(s.p50), fmtMs(p95), fmtMs(s.max), i === 0 ? '1×' : fmtRatio(s.p50, base.p50), i === 0 ? '0' : fmtMs(s.p50 - base.p50)];
    });
    return [
      '## Claude Code hooks: process start to exit',
      '',
      `${ROUNDS} runs of each (after ${WARMUP} warm-up rounds), interleaved round-robin; milliseconds. The hook's own cost is the p50 over the bare node baseline.`,
      '',
      table(['process', 'p50', 'p95', 'max', 'p50 vs baseline', 'p50 − baseline'], body),
    ].join('\n');
  } finally {
    tmp.cleanup();
  }
}
