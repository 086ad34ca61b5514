/**
 * First contact, each figure against a baseline measured in the same run (issue 14):
 * - cold start: spawn → the first answer to `initialize`, against a minimal SDK server with one
 *   no-op tool (the target: at most 1.0× it);
 * - idle resident memory after answering `initialize`, against the same minimal server (at most 1.2×);
 * - the size of `tools/list` for each toolset and profile, in bytes and in tokens (bytes ÷ 4 and a
 *   rough word-and-symbol count), which a client pays in the model's context before its first call.
 *
 * Run alone with `node --import tsx bench/startup.ts` after `npm run build`; `npm run bench` runs it too.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, fmtInt, fmtMb, fmtMs, fmtRatio, median, REPO_ROOT, rssOf, sleep, spawnClient, table, tempDir } from './lib.js';

const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 15);
const RSS_SAMPLES = 3;
const IDLE_MS = 1_500;

const INITIALIZE = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } },
})}\n`;

/** The baseline: the SDK's McpServer over stdio with one no-op tool, loaded the way a plain SDK server loads it. */
export const MINIMAL_SDK_SERVER = [
  '--input-type=module',
  '-e',
  [
    "import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';",
    "import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';",
    "const server = new McpServer({ name: 'minimal', version: '0' });",
    "server.registerTool('noop', { description: 'does nothing' }, async () => ({ content: [] }));",
    "process.stdin.on('end', () => process.exit(0));",
    'await server.connect(new StdioServerTransport());',
  ].join('\n'),
];

interface Variant {
  label: string;
  args: (i: number) => string[];
  env: (i: number) => Record<string, string>;
}

function spawnProcess(args: string[], env: Record<string, string>) {
  return spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** Spawn → first line on stdout (the initialize answer); with `idleMs`, also the RSS after that long idle. */
function measure(args: string[], env: Record<string, string>, idleMs = 0): Promise<{ ms: number; rss: number | null }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawnProcess(args, env);
    let ms: number | null = null;
    let rss: number | null = null;
    child.stdout.on('data', (chunk: Buffer) => {
      if (ms !== null || !chunk.includes(10)) return;
      ms = performance.now() - start;
      void sleep(idleMs).then(() => {
        if (idleMs > 0) rss = rssOf(child.pid!);
        child.stdin.end();
      });
    });
    child.on('error', reject);
    child.on('exit', (code) => (ms === null ? reject(new Error(`${args.join(' ')} exited with ${code} before answering`)) : resolve({ ms, rss })));
    child.stdin.write(INITIALIZE);
  });
}

/** A rough tokenizer: words, numbers and each punctuation mark count one token (JSON is punctuation-heavy). */
export function roughTokens(text: string): number {
  return (text.match(/[A-Za-z]+|\d+|[^\sA-Za-z\d]/g) ?? []).length;
}

export async function benchStartup(): Promise<string> {
  const tmp = tempDir();
  try {
    const db = join(tmp.dir, 'fleet.db');
    // create and migrate the file once, so "existing file" is what an agent's second session sees
    const first = await spawnClient({ db });
    await first.close();
    const serve = (file: string) => ({ FLEETDECK_DB: file, FLEETDECK_LOG_LEVEL: 'warn', FLEETDECK_WORKSPACE: REPO_ROOT });
    const variants: Variant[] = [
      { label: 'minimal SDK `McpServer`, one no-op tool (baseline)', args: () => MINIMAL_SDK_SERVER, env: () => ({}) },
      { label: '`fleetdeck serve`, existing file', args: () => [CLI, 'serve'], env: () => serve(db) },
      { label: '`fleetdeck serve`, new file (creates and migrates it)', args: () => [CLI, 'serve'], env: (i) => serve(join(tmp.dir, `cold-${i}.db`)) },
      { label: '`fleetdeck serve --operator`, existing file', args: () => [CLI, 'serve', '--operator'], env: () => serve(db) },
    ];
    await measure(MINIMAL_SDK_SERVER, {}); // page node and the SDK in
    const times = new Map<string, number[]>(variants.map((v) => [v.label, []]));
    for (let i = 0; i < COLD_STARTS; i++) for (const v of variants) times.get(v.label)!.push((await measure(v.args(i), v.env(i))).ms);
    const rss = new Map<string, number[]>(variants.map((v) => [v.label, []]));
    for (let i = 0; i < RSS_SAMPLES; i++) {
      for (const v of variants) {
        const r = (await measure(v.args(100 + i), v.env(100 + i), IDLE_MS)).rss;
        if (r !== null) rss.get(v.label)!.push(r);
      }
    }
    const baseMs = median(times.get(variants[0]!.label)!);
    const baseRss = median(rss.get(variants[0]!.label)!);
    const rssText = (xs: number[]) => (xs.length ? fmtMb(median(xs)) : 'n/a');
    const rssRatio = (xs: number[]) => (xs.length && Number.isFinite(baseRss) ? fmtRatio(median(xs), baseRss) : 'n/a');

    return [
      '## Start-up, memory and tool listing',
      '',
      `_Measured ${new Date().toISOString()} by bench/startup.ts against \`${CLI.replace(REPO_ROOT, '')}\`._`,
      '',
      '### Cold start and idle memory',
      '',
      `Spawn to the first answer to \`initialize\` (written at once), median of ${COLD_STARTS} spawns each, interleaved; ` +
        `RSS after answering and ${IDLE_MS / 1000} s idle, median of ${RSS_SAMPLES}. Target: cold start ≤ 1.0×, RSS ≤ 1.2× the baseline.`,
      '',
      table(
        ['process', 'median ms', 'min ms', 'max ms', 'vs baseline', 'idle RSS MB', 'vs baseline'],
        variants.map((v) => {
          const t = times.get(v.label)!;
          const r = rss.get(v.label)!;
          return [v.label, fmtMs(median(t)), fmtMs(Math.min(...t)), fmtMs(Math.max(...t)), fmtRatio(median(t), baseMs), rssText(r), rssRatio(r)];
        }),
      ),
      '',
      await listingSizes(db),
    ].join('\n');
  } finally {
    tmp.cleanup();
  }
}

async function listingSizes(db: string): Promise<string> {
  const profiles: { label: string; args: string[] }[] = [
    { label: 'agent (default: `serve`)', args: [] },
    { label: 'agent, core profile (`serve --tools core`)', args: ['--tools', 'core'] },
    { label: 'operator (`serve --operator`)', args: ['--operator'] },
  ];
  const rows: (string | number)[][] = [];
  for (const p of profiles) {
    const server = await spawnClient({ db, args: p.args }).catch(() => null);
    if (!server) {
      rows.push([p.label, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
      continue;
    }
    const listing = await server.client.listTools();
    const json = JSON.stringify(listing);
    const bytes = Buffer.byteLength(json);
    const outputBytes = Buffer.byteLength(JSON.stringify(listing.tools.map((t) => t.outputSchema ?? {})));
    rows.push([p.label, listing.tools.length, fmtInt(bytes), fmtInt(outputBytes), fmtInt(bytes / 4), fmtInt(roughTokens(json))]);
    await server.close();
  }
  return [
    '### Tool listing',
    '',
    'What a client reads from `tools/list` before its first call (compact JSON). Target for the agent toolset: ≤ 20 kB. ' +
      'Tokens two ways: bytes ÷ 4, and a rough count of words, numbers and punctuation marks (each one token; real tokenizers merge some, split long words).',
    '',
    table(['toolset', 'tools', 'bytes', 'of which output schemas', 'tokens (bytes ÷ 4)', 'tokens (rough count)'], rows),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchStartup().then(
    (report) => process.stdout.write(`${report}\n`),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
