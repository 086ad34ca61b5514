/**
 * The targets of issue 22 in one run, each ratio against its baseline measured in the same run:
 *   node scripts/build.mjs && node --import tsx bench/write-path.ts
 * Prints the target table first (figure, baseline, ratio, target, verdict), then the two detailed
 * sections (bench/core.ts, bench/queue.ts) and the load average before and after: on a shared
 * machine the ratios hold better than the absolute times, but read the load before the verdicts.
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatCore, LONGEST_WAIT_TARGET_MS, measureCore, STDIO_TARGET } from './core.js';
import { fmtInt, fmtMs, table } from './lib.js';
import { cyclesPerSecond, formatQueue, measureQueue, SERVICE_TARGET, STDIO_VS_BULLMQ_TARGET } from './queue.js';

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

export async function benchWritePath(): Promise<string> {
  const loadBefore = load();
  const core = await measureCore();
  const queue = await measureQueue();
  const loadAfter = load();

  const rows: string[][] = [];
  const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
  const ping = core.stdio.ping.p50;
  for (const [name, s] of Object.entries(core.stdio.calls)) {
    const ratio = s.p50 / ping;
    rows.push([`stdio \`${name}\` p50`, `${fmtMs(s.p50)} ms`, `\`ping\` p50 ${fmtMs(ping)} ms`, `${ratio.toFixed(2)}×`, `≤ ${STDIO_TARGET}×`, verdict(ratio <= STDIO_TARGET)]);
  }
  rows.push([
    `longest wait, ${core.eight.writers} writer processes`,
    `${fmtMs(core.eight.stats.max)} ms`,
    `1 process alone: ${fmtMs(core.alone.stats.max)} ms`,
    `${(core.eight.stats.max / core.alone.stats.max).toFixed(2)}×`,
    `≤ ${LONGEST_WAIT_TARGET_MS} ms`,
    verdict(core.eight.stats.max <= LONGEST_WAIT_TARGET_MS),
  ]);
  const bare = cyclesPerSecond(queue.bare);
  const service = cyclesPerSecond(queue.service);
  rows.push([
    'queue cycle in process (cycles/s)',
    fmtInt(service),
    `bare SQLite loop ${fmtInt(bare)}`,
    `${(service / bare).toFixed(2)}×`,
    `≥ ${SERVICE_TARGET}×`,
    verdict(service / bare >= SERVICE_TARGET),
  ]);
  const four = queue.stdio.find((f) => f.name.includes(' 4 '));
  if (four && queue.bull) {
    const ratio = cyclesPerSecond(four) / cyclesPerSecond(queue.bull);
    rows.push([
      '4 stdio workers drain (cycles/s)',
      fmtInt(cyclesPerSecond(four)),
      `BullMQ on the local Redis ${fmtInt(cyclesPerSecond(queue.bull))}`,
      `${ratio.toFixed(2)}×`,
      `≥ ${STDIO_VS_BULLMQ_TARGET}×`,
      verdict(ratio >= STDIO_VS_BULLMQ_TARGET),
    ]);
  } else {
    rows.push(['4 stdio workers drain (cycles/s)', four ? fmtInt(cyclesPerSecond(four)) : '–', `BullMQ: ${queue.bullSkipped ?? 'not measured'}`, '–', `≥ ${STDIO_VS_BULLMQ_TARGET}×`, 'not measured']);
  }

  return [
    '## Targets of issue 22 (one run)',
    '',
    `_Measured ${new Date().toISOString()} by bench/write-path.ts. Load average (1 / 5 / 15 min) before: ${loadBefore}; after: ${loadAfter}._`,
    '',
    table(['figure', 'measured', 'baseline (same run)', 'ratio', 'target', 'verdict'], rows),
    '',
    formatCore(core),
    '',
    formatQueue(queue),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchWritePath().then(
    (report) => process.stdout.write(`${report}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
