/**
 * The web console's weight and speed, on the demo fleet (scripts/console-demo.ts: 6 agents, ~45
 * runs, a blocker, a handoff, claims, ~300 events), in Debian's Chromium (headless):
 * - page weight of each view: the HTML document, plus the stylesheet and script every page shares
 *   (bytes as served; no compression);
 * - time to first render: First Contentful Paint of each view, median of a few fresh loads (new
 *   browser context each, so nothing is cached), with the server's time to the first byte;
 * - baseline, in the same run: the sign-in page (the same stylesheet and script, almost no HTML
 *   and no database read), loaded the same way.
 *
 * Standalone: `node --import tsx bench/console.ts` (needs /usr/bin/chromium).
 */
import { pathToFileURL } from 'node:url';
import { createAccessToken } from '../src/services/access-tokens.js';
import { buildDemoFleet } from '../scripts/console-demo.js';
import { openDemoApp } from '../scripts/demo-app.js';
import { chromiumMissing, launchChromium, signIn } from '../test/helpers/browser.js';
import { startTestHttp } from '../test/helpers/http.js';
import { fmtMs, median, table } from './lib.js';

const LOADS = 5;

interface Load {
  htmlBytes: number;
  assetBytes: number;
  ttfbMs: number;
  fcpMs: number;
}

const MEASURE = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint');
  const assets = performance.getEntriesByType('resource').filter((r) => r.name.includes('/static/'));
  return { htmlBytes: nav.encodedBodySize, assetBytes: assets.reduce((n, r) => n + r.encodedBodySize, 0), ttfbMs: nav.responseStart - nav.requestStart, fcpMs: fcp ? fcp.startTime : NaN };
})()`;

export async function benchConsole(): Promise<string> {
  const missing = chromiumMissing();
  if (missing) return `## Web console\n\n_Skipped: ${missing}._`;
  const t = await openDemoApp({ agentLeaseSeconds: '3600' });
  t.clock.set(Date.UTC(2026, 10, 30, 6));
  const fleet = await buildDemoFleet(t.app, t.clock);
  const http = await startTestHttp(t.app);
  const token = (await createAccessToken(t.app.deps, 'operator:bench', { kind: 'operator', label: 'bench' })).secret;
  const browser = await launchChromium();
  const views: [string, string][] = [
    ['sign-in page (baseline)', '/login'],
    ['Overview', '/'],
    ['Agents', '/agents'],
    ['Runs board', '/runs'],
    ['Run detail', `/runs/${fleet.runs.handoff}`],
    ['Claims', '/claims'],
    ['Blockers', '/blockers'],
    ['Events', '/events'],
    ['Queue', '/queue'],
  ];
  const rows: (string | number)[][] = [];
  try {
    let baseline = NaN;
    for (const [label, path] of views) {
      const loads: Load[] = [];
      for (let i = 0; i < LOADS; i++) {
        // bypassCSP lets the measuring script run; it changes nothing that is loaded
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
        const page = await context.newPage();
        if (path !== '/login') {
          await signIn(page, http.origin, token);
          await context.clearCookies({ name: 'fleetdeck_login' });
          // a fresh page without the cached assets of the sign-in: the first load pays for them
          await page.close();
        }
        const fresh = path === '/login' ? page : await context.newPage();
        await fresh.route('**/*', (route) => route.continue({ headers: { ...route.request().headers(), 'cache-control': 'no-cache' } }));
        await fresh.goto(`${http.origin}${path}`, { waitUntil: 'load' });
        await fresh.waitForFunction(`performance.getEntriesByType('paint').some((p) => p.name === 'first-contentful-paint')`);
        loads.push((await fresh.evaluate(MEASURE)) as Load);
        await context.close();
      }
      const fcp = median(loads.map((l) => l.fcpMs));
      if (path === '/login') baseline = fcp;
      const html = loads[0]!.htmlBytes;
      const assets = loads[0]!.assetBytes;
      rows.push([label, (html / 1024).toFixed(1), ((html + assets) / 1024).toFixed(1), fmtMs(median(loads.map((l) => l.ttfbMs))), fmtMs(fcp), path === '/login' ? '1.00×' : `${(fcp / baseline).toFixed(2)}×`]);
    }
  } finally {
    await browser.close();
    await http.close();
    await fleet.close();
    await t.close();
  }
  return [
    '## Web console',
    '',
    `Demo fleet (scripts/console-demo.ts), headless Chromium at 1280×800, ${LOADS} fresh loads per view (new context, no cache), medians. ` +
      'Weight: bytes as served (no compression); the stylesheet and script are shared by every page. ' +
      'Baseline: the sign-in page (same assets, no database read).',
    '',
    table(['view', 'HTML KiB', 'total KiB (HTML + CSS + JS)', 'server TTFB ms', 'first contentful paint ms', 'FCP vs baseline'], rows),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchConsole().then(
    (report) => process.stdout.write(`${report}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
