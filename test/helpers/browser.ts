import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium; Playwright's own browser download cannot work on these machines. */
export const CHROMIUM = process.env.FLEETDECK_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'];

/** null when Chromium is missing: callers skip with this reason printed, never pass silently. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `Chromium not found at ${CHROMIUM}: browser tests skipped (apt-get install -y chromium)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Signs in at /login with a token through the real form. */
export async function signIn(page: Page, origin: string, token: string): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.getByLabel('Operator token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Resolves once the page's live stream is connected (the status shows `live`). */
export async function waitLive(page: Page): Promise<void> {
  await page.locator('#live-status[data-state="live"]').waitFor();
}

/** Waits until an element matching `selector` contains `text` (Playwright's auto-waiting, under vitest). */
export async function waitText(page: Page, selector: string, text: string | RegExp): Promise<string> {
  const el = page.locator(selector).filter({ hasText: text }).first();
  await el.waitFor();
  return (await el.textContent()) ?? '';
}

/** Waits until nothing matches `selector`. */
export async function waitGone(page: Page, selector: string): Promise<void> {
  await page.locator(selector).waitFor({ state: 'detached' });
}
