/**
 * Screenshots of every console view for docs/console.md and the README:
 * `npx tsx scripts/console-screenshots.ts` (needs Chromium at /usr/bin/chromium). Builds the demo
 * fleet on a temporary database, serves it, signs in and captures each view at 1280×800 in the
 * light theme, plus the overview in the dark theme and the blockers view on a narrow window.
 */
import { createAccessToken } from '../src/services/access-tokens.js';
import { chromiumMissing, launchChromium, signIn, waitLive } from '../test/helpers/browser.js';
import { startTestHttp } from '../test/helpers/http.js';
import { buildDemoFleet } from './console-demo.js';
import { openDemoApp } from './demo-app.js';

const OUT = new URL('../docs/img/', import.meta.url);

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) {
    process.stderr.write(`${missing}\n`);
    process.exitCode = 1;
    return;
  }
  const t = await openDemoApp({ agentLeaseSeconds: '3600', workspace: '/srv/work/shop' });
  t.clock.set(Date.UTC(2026, 10, 30, 6));
  const fleet = await buildDemoFleet(t.app, t.clock);
  const http = await startTestHttp(t.app);
  const token = (await createAccessToken(t.app.deps, 'operator:demo', { kind: 'operator', label: 'maria' })).secret;
  const browser = await launchChromium();
  try {
    const shots: [string, string, { width: number; height: number }, 'light' | 'dark'][] = [
      ['overview', '/', { width: 1280, height: 800 }, 'light'],
      ['agents', '/agents', { width: 1280, height: 800 }, 'light'],
      ['runs', '/runs', { width: 1280, height: 800 }, 'light'],
      ['run-detail', `/runs/${fleet.runs.handoff}`, { width: 1280, height: 800 }, 'light'],
      ['claims', '/claims', { width: 1280, height: 800 }, 'light'],
      ['blockers', '/blockers', { width: 1280, height: 800 }, 'light'],
      ['events', '/events', { width: 1280, height: 800 }, 'light'],
      ['queue', '/queue', { width: 1280, height: 800 }, 'light'],
      ['overview-dark', '/', { width: 1280, height: 800 }, 'dark'],
      ['blockers-narrow', '/blockers', { width: 390, height: 844 }, 'dark'],
    ];
    for (const [name, path, viewport, scheme] of shots) {
      const context = await browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: 1 });
      const page = await context.newPage();
      await signIn(page, http.origin, token);
      await page.goto(`${http.origin}${path}`);
      await waitLive(page);
      await page.screenshot({ path: new URL(`console-${name}.png`, OUT).pathname });
      process.stderr.write(`docs/img/console-${name}.png\n`);
      await context.close();
    }
  } finally {
    await browser.close();
    await http.close();
    await fleet.close();
    await t.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
