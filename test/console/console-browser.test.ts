import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getAgent } from '../../src/services/agents.js';
import { listClaims } from '../../src/services/claims/queries.js';
import { runDetail } from '../../src/services/runs/queries.js';
import type { HttpServerHandle } from '../../src/transports/http.js';
import { connectClient, openTestApp, tempDir, type TestApp, type TestClient } from '../helpers/app.js';
import { chromiumMissing, launchChromium, signIn, waitGone, waitLive, waitText } from '../helpers/browser.js';
import { makeToken, startTestHttp } from '../helpers/http.js';
import { testDatabase } from '../helpers/store.js';
import { redactUrl } from '../../src/store/postgres/url.js';

type Signal = { kind: string; message: string; payload: Record<string, unknown> };

const missing = chromiumMissing();
if (missing) console.warn(missing);

describe.skipIf(missing !== null)('web console in Chromium', () => {
  let browser: Browser;
  let t: TestApp;
  let http: HttpServerHandle;
  let context: BrowserContext;
  let page: Page;
  let operatorToken: string;
  let agent: TestClient;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    t = await openTestApp({ agentLeaseSeconds: '300' });
    http = await startTestHttp(t.app);
    operatorToken = await makeToken(t.app, { kind: 'operator', label: 'ops' });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    agent = await connectClient(t.app);
  });
  afterEach(async () => {
    await agent.close();
    await context.close();
    await http.close();
    await t.close();
  });

  it('signs in with an operator token, refuses an agent token, and signs out', async () => {
    const agentToken = await makeToken(t.app, { kind: 'agent', agent: 'alice', role: 'implementer' });
    await signIn(page, http.origin, agentToken);
    await waitText(page, '[role=alert]', 'Agent tokens cannot sign in');
    expect(page.url()).toMatch(/\/login/);
    const refused = await page.request.get(`${http.origin}/agents`, { maxRedirects: 0 });
    expect(refused.status()).toBe(303);

    await signIn(page, http.origin, operatorToken);
    await waitText(page, 'h1', 'Overview');
    const cookie = (await context.cookies()).find((c) => c.name === 'fleetdeck_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookie.expires).toBeGreaterThan(Date.now() / 1000);
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).not.toContain('fleetdeck_session');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Operator token').waitFor();
    await page.goto(`${http.origin}/agents`);
    expect(page.url()).toContain('/login?next=%2Fagents');
  });

  it('is usable with the keyboard and on a narrow window', async () => {
    await agent.ok('register_agent', { name: 'kbd', role: 'implementer' });
    await signIn(page, http.origin, operatorToken);
    // the first Tab must land on the skip link once the page after sign-in has loaded (under load
    // a Tab sent during the redirect goes to the page being left)
    await page.waitForLoadState('load');
    await page.getByText('Skip to content').waitFor({ state: 'attached' });
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent)).toBe('Skip to content');
    // through the navigation by keyboard only: focus the Agents link and follow it with Enter
    await page.getByRole('link', { name: 'Agents', exact: true }).focus();
    await page.keyboard.press('Enter');
    await waitText(page, 'h1', 'Agents');
    expect(await page.getAttribute('nav a[href="/agents"]', 'aria-current')).toBe('page');
    await page.locator('tr[data-agent="kbd"]').getByRole('button', { name: 'Pause' }).focus();
    await page.keyboard.press('Enter');
    // the dialog asks for a reason (the agent is told), by keyboard too
    await page.locator('dialog#confirm[open]').waitFor();
    await page.keyboard.type('maintenance window');
    await page.keyboard.press('Tab'); // to "No, keep it"
    await page.keyboard.press('Tab'); // to "Yes, go ahead"
    await page.keyboard.press('Enter');
    await waitText(page, 'tr[data-agent="kbd"] output.result', 'kbd is paused');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${http.origin}/blockers`);
    const overflow = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return d.scrollWidth - d.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0); // nothing wider than the window
  });

  it('shows an agent that registers over MCP without a reload', async () => {
    await signIn(page, http.origin, operatorToken);
    await page.goto(`${http.origin}/agents`);
    await waitLive(page);
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    await agent.ok('register_agent', { name: 'live-newcomer', role: 'implementer' });
    await page.locator('tr[data-agent="live-newcomer"]').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(42); // the same document: no reload
  });

  it('Approve on a blocker reaches the agent over MCP', async () => {
    await agent.ok('register_agent', { name: 'asker', role: 'implementer' });
    const run = await agent.ok<{ run_id: string }>('start_run', { title: 'migrate the schema' });
    const raised = await agent.ok<{ blocker_id: string }>('raise_blocker', { run_id: run.run_id, kind: 'approval', question: 'May I drop the legacy table?' });
    const waiting = agent.ok<{ changed: boolean; blocker: { decision: string; state: string } }>('await_update', { blocker_id: raised.blocker_id, timeout_seconds: 60 });

    await signIn(page, http.origin, operatorToken);
    await page.goto(`${http.origin}/blockers`);
    const card = page.locator(`article[data-blocker="${raised.blocker_id}"]`);
    await waitText(page, `article[data-blocker="${raised.blocker_id}"]`, 'May I drop the legacy table?');
    await card.getByLabel(/^Text/).fill('yes, keep a backup');
    await card.getByRole('button', { name: 'Approve', exact: true }).click();

    const update = await waiting;
    expect(update).toMatchObject({ changed: true, blocker: { decision: 'approve', state: 'resolved' } });
    // the decision also arrives as a signal, on this result or the next one
    const hb = await agent.ok<{ signals?: Signal[] }>('heartbeat', {});
    const signals = [...((update as { signals?: Signal[] }).signals ?? []), ...(hb.signals ?? [])];
    expect(signals.some((s) => s.kind === 'blocker_resolved' && s.payload.blocker_id === raised.blocker_id && s.payload.decision === 'approve')).toBe(true);
    await waitText(page, '#flash', 'approve');
    await waitGone(page, `article[data-blocker="${raised.blocker_id}"]`); // the live region moved it to "recently decided"
  });

  it('Enter in a decision field decides nothing: the blocker stays open until a button is pressed', async () => {
    await agent.ok('register_agent', { name: 'asker', role: 'implementer' });
    const run = await agent.ok<{ run_id: string }>('start_run', { title: 'rotate the keys' });
    const raised = await agent.ok<{ blocker_id: string }>('raise_blocker', { run_id: run.run_id, kind: 'approval', question: 'May I rotate the production keys?' });
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/actions/')) posts.push(request.postData() ?? '');
    });

    await signIn(page, http.origin, operatorToken);
    await page.goto(`${http.origin}/blockers`);
    const card = page.locator(`article[data-blocker="${raised.blocker_id}"]`);
    await waitText(page, `article[data-blocker="${raised.blocker_id}"]`, 'May I rotate the production keys?');
    await card.getByLabel('or role').fill('security');
    await card.getByLabel('or role').press('Enter');
    await card.getByLabel(/^Text/).fill('first line');
    await card.getByLabel(/^Text/).press('Enter'); // a newline in the textarea, never a submit

    // any post Enter had caused would be recorded before the Deny click's: there must be exactly one, Deny's
    const before = await runDetail(t.app.deps, run.run_id);
    expect(before.blockers.find((b) => b.blocker_id === raised.blocker_id)?.state).toBe('open');
    expect(posts).toEqual([]);
    await expect(card.locator('textarea[name="text"]').inputValue()).resolves.toBe('first line\n');

    await card.getByRole('button', { name: 'Deny', exact: true }).click();
    await waitText(page, '#flash', 'deny');
    expect(posts).toHaveLength(1);
    expect(new URLSearchParams(posts[0]).get('decision')).toBe('deny');
  });

  it('requeues a dead run from its page', async () => {
    const coord = await connectClient(t.app);
    await coord.ok('register_agent', { name: 'coord', role: 'coordinator' });
    const sub = await coord.ok<{ run_id: string }>('submit_task', { title: 'too late', instructions: 'x', to_role: 'nobody', ttl_seconds: 60 });
    t.clock.advance(61_000);
    await coord.ok('heartbeat', {}); // a write: expiry runs and the run is dead (expired)
    expect((await runDetail(t.app.deps, sub.run_id)).run.state).toBe('dead');

    await signIn(page, http.origin, operatorToken);
    await page.goto(`${http.origin}/runs/${sub.run_id}`);
    await waitText(page, '.run-head', 'dead');
    await page.getByRole('button', { name: 'Requeue' }).click();
    await waitText(page, '#flash', `requeued ${sub.run_id}`);
    await waitText(page, '.run-head .badge', /^queued$/);
    expect((await runDetail(t.app.deps, sub.run_id)).run.state).toBe('queued');
    await coord.close();
  });

  it('force-releases a claim', async () => {
    await agent.ok('register_agent', { name: 'holder', role: 'implementer' });
    const claim = await agent.ok<{ granted: boolean; claims: { claim_id: string }[] }>('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/api/**' }] });
    expect(claim.granted).toBe(true);

    await signIn(page, http.origin, operatorToken);
    await page.goto(`${http.origin}/claims`);
    const row = page.locator('tr[data-claim="src/api/**"]');
    await waitText(page, 'tr[data-claim="src/api/**"]', 'holder');
    await row.getByRole('button', { name: 'Force release' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Yes, go ahead' }).click();
    await waitText(page, '#flash', 'force-released 1 claim');
    await waitGone(page, 'tr[data-claim="src/api/**"]');
    expect((await listClaims(t.app.deps, {})).claims).toHaveLength(0);
    const hb = await agent.ok<{ signals?: Signal[] }>('heartbeat', {});
    expect(hb.signals?.some((s) => s.kind === 'claim_released' || /released your claim/.test(s.message))).toBe(true); // the holder is told
  });

  it('refuses a state change without the CSRF token (plain fetch)', async () => {
    const reg = await agent.ok<{ agent_id: string }>('register_agent', { name: 'target', role: 'implementer' });
    await signIn(page, http.origin, operatorToken);
    await page.goto(`${http.origin}/agents`);
    const statuses = await page.evaluate(async (agentId) => {
      const post = (headers: Record<string, string>, body: string) =>
        fetch('/actions/pause-agent', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...headers }, body }).then((r) => r.status);
      return [await post({}, `agent_id=${agentId}`), await post({ 'X-CSRF-Token': 'forged' }, `agent_id=${agentId}`), await post({}, `agent_id=${agentId}&_csrf=forged`)];
    }, reg.agent_id);
    expect(statuses).toEqual([403, 403, 403]);
    expect((await getAgent(t.app.deps, reg.agent_id)).agent.paused).toBe(false);

    // the page's own form (token included) does change it
    await page.locator(`tr[data-agent="target"]`).getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Yes, go ahead' }).click();
    await waitText(page, '#flash', 'target is paused');
    expect((await getAgent(t.app.deps, reg.agent_id)).agent.paused).toBe(true);
  });
});

describe.skipIf(missing !== null)('fleetdeck console (built CLI)', () => {
  it('prints a one-time sign-in link that works once', async () => {
    const tmp = tempDir();
    const database = await testDatabase(tmp.dir); // a SQLite file, or a PostgreSQL URL on a PostgreSQL run
    const child = spawn(process.execPath, [join(process.cwd(), 'dist/cli.js'), 'console', '--port', '0', '--json', '--db', database.db], {
      env: { ...process.env, FLEETDECK_DATA_DIR: tmp.dir, FLEETDECK_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const browser = await launchChromium();
    try {
      let text = '';
      for await (const line of createInterface({ input: child.stdout! })) {
        text += line;
        if (line.startsWith('}')) break;
      }
      const out = JSON.parse(text) as { url: string; sign_in_url: string; db: string };
      expect(out.db).toBe(redactUrl(database.db));
      expect(out.sign_in_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?code=/);
      expect(out.sign_in_url).not.toContain('fdk_');
      const page = await browser.newPage();
      await page.goto(out.sign_in_url);
      await waitText(page, 'h1', 'Overview');
      const second = await browser.newPage();
      await second.goto(out.sign_in_url);
      await waitText(second, '[role=alert]', 'already used or has expired');
    } finally {
      await browser.close();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await database.drop();
      tmp.cleanup();
    }
  });
});

