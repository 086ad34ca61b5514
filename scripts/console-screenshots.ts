/**
 * Screenshots of every console view for docs/console.md and the README:
 * `npx tsx scripts/console-screenshots.ts` (needs Chromium at /usr/bin/chromium). Builds the demo
 * fleet on a temporary database, serves it, signs in and captures each view at 1440×900 and on a
 * 390×844 phone, plus the overview in the dark theme and the confirmation dialog.
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
    const wide = { width: 1440, height: 900 };
    const phone = { width: 390, height: 844 };
    const views: [string, string][] = [
      ['overview', '/'],
      ['agents', '/agents'],
      ['runs', '/runs'],
      ['run-detail', `/runs/${fleet.runs.handoff}`],
      ['claims', '/claims'],
      ['blockers', '/blockers'],
      ['events', '/events'],
      ['queue', '/queue'],
    ];
    const shots: [string, string, { width: number; height: number }, 'light' | 'dark'][] = [
      ...views.map(([name, path]): [string, string, typeof wide, 'light'] => [name, path, wide, 'light']),
      ...views.map(([name, path]): [string, string, typeof phone, 'light'] => [`${name}-phone`, path, phone, 'light']),
      ['overview-dark', '/', wide, 'dark'],
      ['blockers-phone-dark', '/blockers', phone, 'dark'],
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
    // the confirmation dialog of a destructive action
    const context = await browser.newContext({ viewport: wide, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await signIn(page, http.origin, token);
    await page.goto(`${http.origin}/claims`);
    await waitLive(page);
    await page.getByRole('button', { name: 'Force release' }).first().click();
    await page.getByRole('dialog').waitFor();
    await page.screenshot({ path: new URL('console-confirm.png', OUT).pathname });
    process.stderr.write('docs/img/console-confirm.png\n');
    await context.close();
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
