import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDetail } from '../../src/services/runs/queries.js';
import type { HttpServerHandle } from '../../src/transports/http.js';
import { connectClient, openTestApp, tempDir, type TestApp, type TestClient } from '../helpers/app.js';
import { chromiumMissing, launchChromium, signIn, waitLive, waitText } from '../helpers/browser.js';
import { makeToken, startTestHttp } from '../helpers/http.js';

type Signal = { kind: string; message: string; payload: Record<string, unknown> };
type Doc = { documentElement: { scrollWidth: number; clientWidth: number }; getSelection(): { toString(): string; isCollapsed: boolean } | null };

const missing = chromiumMissing();
if (missing) console.warn(missing);

const VIEWS = ['/', '/agents', '/runs', '/runs?state=queued', '/claims', '/blockers', '/events', '/queue'];

/**
 * The operator's console in real Chromium against a real fleet: decisions confirmed in a dialog,
 * lists that reach everything, readable records, calm live updates, phones, weight, sessions.
 */
describe.skipIf(missing !== null)('the operator console in Chromium', () => {
  let browser: Browser;
  let t: TestApp;
  let dir: { dir: string; cleanup: () => void };
  let http: HttpServerHandle;
  let context: BrowserContext;
  let page: Page;
  let operatorToken: string;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    dir = tempDir();
    t = await openTestApp({ agentLeaseSeconds: '300' }, dir.dir);
    http = await startTestHttp(t.app);
    operatorToken = await makeToken(t.app, { kind: 'operator', label: 'ops' });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await context.close();
    await http.close();
    await t.close();
    dir.cleanup();
  });

  async function agent(name: string, role = 'implementer'): Promise<TestClient & { id: string }> {
    const c = await connectClient(t.app);
    clients.push(c);
    const reg = await c.ok<{ agent_id: string }>('register_agent', { name, role });
    return Object.assign(c, { id: reg.agent_id });
  }

  const confirm = async () => page.getByRole('dialog').getByRole('button', { name: 'Yes, go ahead' }).click();

  it('asks before destroying work, in a keyboard-usable dialog, and answers next to the control', async () => {
    const worker = await agent('worker');
    const run = await worker.ok<{ run_id: string }>('start_run', { title: 'long migration' });
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/actions/')) posts.push(r.url());
    });
    await signIn(page, http.origin, operatorToken);
    await page.goto(`${http.origin}/runs/${run.run_id}`);
    await page.getByLabel('Reason').fill('wrong target');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Cancel the run long migration?');
    // focus starts on the safe answer; Escape closes without acting and gives focus back
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('confirm-no');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent)).toBe('Cancel run');
    await waitText(page, 'form[data-action="cancel-run"] output.result', 'Not done');
    expect(posts).toEqual([]);
    expect((await runDetail(t.app.deps, run.run_id)).run.state).toBe('leased');

    await page.getByRole('button', { name: 'Cancel run' }).click();
    await confirm();
    await waitText(page, '.run-head .badge', /^cancelled$/);
    expect(posts).toHaveLength(1);
    expect((await runDetail(t.app.deps, run.run_id)).run.state).toBe('cancelled');

    // a blocker's Cancel asks too; Deny without text shows its error beside the sixth card's buttons
    const asker = await agent('asker');
    const blockers: string[] = [];
    let lastRun = '';
    for (let i = 0; i < 6; i++) {
      const r = await asker.ok<{ run_id: string }>('start_run', { title: `task ${i}` });
      lastRun = r.run_id;
      blockers.push((await asker.ok<{ blocker_id: string }>('raise_blocker', { run_id: r.run_id, kind: 'approval', question: `May I do step ${i}?` })).blocker_id);
    }
    await page.goto(`${http.origin}/blockers`);
    const sixth = page.locator(`article[data-blocker="${blockers[5]}"]`);
    await sixth.getByRole('button', { name: 'Deny', exact: true }).click();
    const error = await waitText(page, `article[data-blocker="${blockers[5]}"] output.result`, 'INVALID_INPUT');
    expect(error).toMatch(/text|reason/i);
    expect(error).not.toMatch(/resolve_blocker|cancel_run|reassign_run|requeue_run|fleet_status/); // hints name console actions
    // beside the button, not 1,800 px above it (measured on the page as it is now: a live update may have re-rendered the card)
    await expect
      .poll(() =>
        page.evaluate((id) => {
          const card = (globalThis as unknown as { document: { querySelector(s: string): { querySelector(s: string): { getBoundingClientRect(): { y: number } } | null } | null } }).document.querySelector(`article[data-blocker="${id}"]`);
          const out = card?.querySelector('output.result');
          const deny = card?.querySelector('button[value="deny"]');
          return out && deny ? Math.abs(out.getBoundingClientRect().y - deny.getBoundingClientRect().y) : Infinity;
        }, blockers[5]!),
      )
      .toBeLessThan(200);
    await sixth.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('dialog').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'No, keep it' }).click();
    const open = await runDetail(t.app.deps, lastRun);
    expect(open.blockers.find((b) => b.blocker_id === blockers[5])?.state).toBe('open');
  });

  it('requeues every dead letter and forgets stale agents holding nothing, each confirmed, and tells a targeted agent', async () => {
    const coord = await agent('coord', 'coordinator');
    const target = await agent('target');
    const idle = await agent('idle-one');
    await idle.ok('heartbeat', { status: 'idle' });
    for (let i = 0; i < 3; i++) await coord.ok('submit_task', { title: `late ${i}`, instructions: 'x', to_role: 'nobody', ttl_seconds: 60 });
    const aimed = await coord.ok<{ run_id: string }>('submit_task', { title: 'for target', instructions: 'x', to_agent: target.id, ttl_seconds: 60 });
    t.clock.advance(301_000); // the TTLs pass, and every agent but the ones that speak next goes stale
    await coord.ok('heartbeat', {});
    await target.ok('heartbeat', {});
    expect((await runDetail(t.app.deps, aimed.run_id)).run.state).toBe('dead');

    await signIn(page, http.origin, operatorToken);
    await page.goto(`${http.origin}/runs?state=dead`);
    await waitText(page, '#col-dead .count', '4');
    await page.getByRole('button', { name: /Requeue all 4 dead letters/ }).click();
    await confirm();
    await waitText(page, 'form[data-action="requeue-dead"] output.result, #flash', 'requeued 4 dead letter(s)');
    expect((await runDetail(t.app.deps, aimed.run_id)).run.state).toBe('queued');
    const hb = await target.ok<{ signals?: Signal[] }>('heartbeat', {});
    expect(hb.signals?.some((s) => s.kind === 'run_assigned' && s.payload.requeued === true)).toBe(true);

    await page.goto(`${http.origin}/agents`);
    await page.locator('tr[data-agent="idle-one"]').waitFor();
    await page.getByRole('button', { name: 'Forget stale agents holding nothing' }).click();
    await confirm();
    await waitText(page, '#flash', 'forgot 1 stale agent(s) holding nothing: idle-one');
    await page.goto(`${http.origin}/agents`);
    await page.locator('tr[data-agent="coord"]').waitFor();
    expect(await page.locator('tr[data-agent="idle-one"]').count()).toBe(0);
    await page.goto(`${http.origin}/events?type=agent.forgotten`);
    await waitText(page, 'table.events', 'idle-one');
    // a forgotten agent that speaks again is listed again
    t.clock.advance(1000);
    await idle.ok('heartbeat', {});
    await page.goto(`${http.origin}/agents`);
    await page.locator('tr[data-agent="idle-one"]').waitFor();
  });

  it('pauses from Agents with a reason the agent receives, and marks an idle agent’s note as old', async () => {
    const worker = await agent('pausable');
    await worker.ok('heartbeat', { status: 'working', note: 'refactoring the parser', progress: 0.4 });
    await worker.ok('heartbeat', { status: 'idle' });
    await signIn(page, http.origin, operatorToken);
    await page.goto(`${http.origin}/agents`);
    const row = page.locator('tr[data-agent="pausable"]');
    await row.locator('.old-note').waitFor();
    expect(await row.textContent()).not.toContain('40%');
    await row.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('dialog').getByRole('textbox').fill('deploy freeze');
    await confirm();
    await waitText(page, 'tr[data-agent="pausable"] output.result, #flash', 'pausable is paused');
    const hb = await worker.ok<{ signals?: Signal[] }>('heartbeat', {});
    expect(hb.signals?.find((s) => s.kind === 'pause')?.message).toContain('deploy freeze');
  });

  it('reaches every event, run, agent and claim: paging, exact counts, family filters over heartbeats, take order, search', async () => {
    const busy = await agent('busy-bee');
    const coord = await agent('coord', 'coordinator');
    const runs: string[] = [];
    for (let i = 0; i < 3; i++) runs.push((await busy.ok<{ run_id: string }>('start_run', { title: `early ${i}` })).run_id);
    for (const r of runs) await busy.ok('submit_result', { run_id: r, outcome: 'completed', summary: 'done' });
    for (let i = 0; i < 1100; i++) await busy.ok('heartbeat', { note: `step ${i}` }); // the newest 1,100 events are heartbeats
    for (let i = 0; i < 60; i++) await coord.ok('submit_task', { title: `queued ${i}`, instructions: 'x', to_role: 'implementer', priority: i === 42 ? 9 : i % 3 });
    for (let i = 0; i < 8; i++) await busy.ok('claim_scope', { scopes: [{ kind: 'path', pattern: `pkg${i}/**` }] });

    await signIn(page, http.origin, operatorToken);
    // events: heartbeats hidden; `run` family finds the runs' events under 1,100 heartbeats
    await page.goto(`${http.origin}/events?family=run`);
    const runEvents = Number((await page.locator('.pager .total').first().textContent())!.replace(/,/g, ''));
    expect(runEvents).toBeGreaterThanOrEqual(66); // 3 started + 3 completed + 60 submitted
    expect(await page.locator('table.events tbody tr').count()).toBe(25);
    await page.getByRole('link', { name: 'Next page' }).first().click();
    await page.waitForURL(/cursor=/);
    const secondPage = await page.locator('table.events tbody tr').count();
    expect(secondPage).toBe(Math.min(25, runEvents - 25));
    await page.goto(`${http.origin}/events?type=run.completed`);
    await waitText(page, '.pager .total', '3');
    await page.goto(`${http.origin}/events`);
    expect(await page.locator('table.events').textContent()).not.toContain('agent.heartbeat');
    await page.goto(`${http.origin}/events?heartbeats=show`);
    const withBeats = Number((await page.locator('.pager .total').first().textContent())!.replace(/,/g, ''));
    expect(withBeats).toBeGreaterThan(1100);

    // runs: exact counts per column; the queued column in take order, paged
    await page.goto(`${http.origin}/runs`);
    await waitText(page, '#col-queued .count', '60');
    await waitText(page, '#col-completed .count', '3');
    await page.goto(`${http.origin}/runs?state=queued`);
    const first = page.locator('section[aria-labelledby="col-queued"] .run-card').first();
    expect(await first.textContent()).toContain('queued 42'); // priority 9 first
    expect(await page.locator('section[aria-labelledby="col-queued"] .run-card').count()).toBe(50);
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(/cursor=/);
    expect(await page.locator('section[aria-labelledby="col-queued"] .run-card').count()).toBe(10);
    expect(await page.locator('section[aria-labelledby="col-queued"] .run-card').last().textContent()).toContain('p0');

    // agents and claims: search
    await page.goto(`${http.origin}/agents?q=busy`);
    expect(await page.locator('table.agents tbody tr').count()).toBe(1);
    await waitText(page, '.pager .total', '1');
    await page.goto(`${http.origin}/claims?q=pkg3`);
    expect(await page.locator('tr[data-claim]').count()).toBe(1);
    await page.goto(`${http.origin}/claims`);
    await waitText(page, '.pager .total', '8');
  });

  it('renders handoff Markdown safely, shows local times with UTC on hover, names beside ids, payloads as fields', async () => {
    const from = await agent('writer');
    await agent('reader', 'reviewer');
    const run = await from.ok<{ run_id: string }>('start_run', { title: 'write docs' });
    await from.ok('handoff', {
      run_id: run.run_id,
      to_role: 'reviewer',
      summary: '## Done\n\n- parser **rewritten**\n- tests green\n\nSee [the spec](https://example.org/spec) and [bad](javascript:alert(1)).\n\n<script>alert(1)</script><img src=x onerror=alert(1)>',
      next_action: 'Review `src/parser.ts`\nthen merge',
    });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await signIn(page, http.origin, operatorToken);
    await page.goto(`${http.origin}/runs/${run.run_id}`);
    const card = page.locator('article.handoff');
    await card.locator('.md h2').waitFor();
    expect(await card.locator('.md li').count()).toBe(2);
    expect(await card.locator('.md strong').first().textContent()).toBe('rewritten');
    expect(await card.locator('a[href="https://example.org/spec"]').getAttribute('rel')).toContain('noopener');
    expect(await card.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await card.locator('script, img').count()).toBe(0);
    expect(await card.textContent()).toContain('<script>alert(1)</script>'); // shown as text
    expect(await card.locator('.md code').first().textContent()).toBe('src/parser.ts');
    expect(dialogs).toEqual([]);

    // times: local text from the script, UTC on hover
    const time = page.locator('.run-head time').first();
    expect(await time.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(UTC\)$/);
    expect(await time.textContent()).toMatch(/ago|in /);
    // names beside ids, payloads as fields
    await page.goto(`${http.origin}/events?family=handoff`);
    await waitText(page, 'table.events', 'writer');
    expect(await page.locator('table.events dl.kv dt').first().textContent()).toBeTruthy();
    await page.goto(`${http.origin}/queue`);
    expect(await page.content()).not.toContain('agent:agt_');
  });

  it('live: at most one refresh every few seconds, none for heartbeats alone; selection and typing survive (before/after in one run)', async () => {
    const beat = await agent('heartbeater');
    const coord = await agent('coord', 'coordinator');
    for (let i = 0; i < 30; i++) await coord.ok('submit_task', { title: `seed ${i}`, instructions: 'x', to_role: 'implementer' });
    await signIn(page, http.origin, operatorToken);

    async function measure(seconds: number): Promise<{ refetches: number; bytes: number }> {
      let refetches = 0;
      let bytes = 0;
      const onResponse = async (res: { url(): string; request(): { resourceType(): string }; body(): Promise<Buffer> }) => {
        if (res.url().startsWith(`${http.origin}/events`) && res.request().resourceType() === 'fetch') {
          refetches++;
          bytes += (await res.body().catch(() => Buffer.alloc(0))).length;
        }
      };
      page.on('response', onResponse);
      const end = Date.now() + seconds * 1000;
      let i = 0;
      while (Date.now() < end) {
        await beat.ok('heartbeat', { progress: (i % 100) / 100, note: `working on step ${i}` }); // each one news: each one an event
        if (++i % 10 === 0) await coord.ok('submit_task', { title: `live ${i}`, instructions: 'x', to_role: 'implementer' });
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 500));
      page.off('response', onResponse);
      return { refetches, bytes };
    }

    // before: the script as it was (every event, heartbeats included, refetched the whole page)
    const oldJs = readFileSync(new URL('./fixtures/client-before-issue-21.js.txt', import.meta.url), 'utf8');
    await page.route('**/static/console.js', (route) => route.fulfill({ contentType: 'text/javascript', body: oldJs }));
    await page.goto(`${http.origin}/events`);
    await waitLive(page);
    const before = await measure(20);
    await page.unroute('**/static/console.js');

    await page.goto(`${http.origin}/events`);
    await waitLive(page);
    const after = await measure(20);
    console.log(`live updates on Events in 20 s with a heartbeating agent: before ${before.refetches} refetches (${before.bytes} bytes), after ${after.refetches} refetches (${after.bytes} bytes)`);
    expect(after.refetches).toBeLessThanOrEqual(Math.ceil(20 / 3) + 1);
    expect(after.refetches).toBeLessThan(before.refetches);

    // heartbeats alone: no refresh at all (after any refresh still due from the measurement)
    await new Promise((r) => setTimeout(r, 3500));
    const quiet = await page.evaluate(() => (globalThis as unknown as { __consoleLive: { refreshes: number } }).__consoleLive.refreshes);
    for (let i = 0; i < 10; i++) await beat.ok('heartbeat', { note: `quiet ${i}` });
    await new Promise((r) => setTimeout(r, 3500));
    expect(await page.evaluate(() => (globalThis as unknown as { __consoleLive: { refreshes: number } }).__consoleLive.refreshes)).toBe(quiet);

    // a selection in the live region holds the refresh back until it is let go
    await page.locator('table.events tbody tr').first().locator('td').nth(2).selectText();
    const selected = await page.evaluate(() => (globalThis as unknown as { document: Doc }).document.getSelection()?.toString() ?? '');
    expect(selected.length).toBeGreaterThan(0);
    await coord.ok('submit_task', { title: 'while selecting', instructions: 'x', to_role: 'implementer' });
    await page.locator('#live-status[data-state="paused"]').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { document: Doc }).document.getSelection()?.toString() ?? '')).toBe(selected);
    expect(await page.locator('table.events').textContent()).not.toContain('while selecting');

    // typing in a filter (outside the live region) is never replaced
    await page.locator('form.filters input[name="agent"]').fill('heart');
    await coord.ok('submit_task', { title: 'while typing', instructions: 'x', to_role: 'implementer' });
    await page.mouse.click(5, 5); // let go of the selection
    await waitText(page, 'table.events', 'while typing');
    expect(await page.locator('form.filters input[name="agent"]').inputValue()).toBe('heart');
  }, 90_000);

  it('fits a 390 px phone on every view, with long names and a decision form', async () => {
    const long = await agent('an-agent-with-a-really-remarkably-long-name-that-goes-on-and-on');
    const run = await long.ok<{ run_id: string }>('start_run', { title: 'a run whose title is also quite long to see how it wraps on a phone' });
    await long.ok('raise_blocker', { run_id: run.run_id, kind: 'decision', question: 'Which of these options?', options: ['a-very-long-option-name-without-any-spaces-at-all-really', 'b'] });
    await long.ok('claim_scope', { scopes: [{ kind: 'path', pattern: 'src/some/deeply/nested/directory/structure/that/is/long/**' }] });
    await long.ok('heartbeat', { note: 'a-note-without-spaces-that-is-long-enough-to-push-the-table-sideways-if-nothing-wraps-it' });
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, http.origin, operatorToken);
    await page.waitForURL(/\/$/);
    for (const view of [...VIEWS, `/runs/${run.run_id}`, '/events?heartbeats=show']) {
      await page.goto(`${http.origin}${view}`);
      const d = await page.evaluate(() => { const d = (globalThis as unknown as { document: Doc }).document.documentElement; return { scroll: d.scrollWidth, client: d.clientWidth }; });
      expect(d.scroll, `${view} is ${d.scroll}px wide`).toBeLessThanOrEqual(390);
    }
  });

  // paint times on a shared machine are noisy: a view over 2× is measured again (retry)
  it('keeps Events under 64 KiB a page, and each view paints within twice the sign-in page', { retry: 2, timeout: 180_000 }, async () => {
    const noisy = await agent('noisy');
    const run = await noisy.ok<{ run_id: string }>('start_run', { title: 'noisy' });
    for (let i = 0; i < 120; i++) await noisy.ok('heartbeat', { note: 'n'.repeat(200), progress: (i % 10) / 10 });
    for (let i = 0; i < 80; i++) await noisy.ok('attach_evidence', { run_id: run.run_id, kind: 'log', name: `log-${i}.txt`, content: 'x'.repeat(50) });
    await signIn(page, http.origin, operatorToken);
    await page.waitForURL(/\/$/);
    for (const view of ['/events', '/events?heartbeats=show', '/events?family=artifact']) {
      const res = await page.goto(`${http.origin}${view}`);
      const size = (await res!.body()).length;
      expect(size, `${view}: ${size} bytes`).toBeLessThanOrEqual(64 * 1024);
    }

    type Perf = { performance: { getEntriesByName(n: string): { startTime: number }[] } };
    const paintOf = async (p: Page) => {
      await p.waitForFunction(() => (globalThis as unknown as Perf).performance.getEntriesByName('first-contentful-paint').length > 0);
      return p.evaluate(() => (globalThis as unknown as Perf).performance.getEntriesByName('first-contentful-paint')[0]!.startTime);
    };
    // the sign-in page and each view loaded in turn, so both see the same machine load
    const signInContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const signInPage = await signInContext.newPage();
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const paints: Record<string, { view: number; signIn: number }> = {};
    for (const view of [...VIEWS, `/runs/${run.run_id}`]) {
      const v: number[] = [];
      const l: number[] = [];
      for (let i = 0; i < 7; i++) {
        await signInPage.goto(`${http.origin}/login`);
        l.push(await paintOf(signInPage));
        await page.goto(`${http.origin}${view}`);
        v.push(await paintOf(page));
      }
      paints[view] = { view: median(v), signIn: median(l) };
    }
    await signInContext.close();
    console.log(`first contentful paint (median of 7, ms, view / sign-in loaded in turn): ${Object.entries(paints).map(([v, p]) => `${v} ${p.view.toFixed(0)}/${p.signIn.toFixed(0)}`).join(', ')}`);
    for (const [view, p] of Object.entries(paints)) expect(p.view, `${view} painted in ${p.view} ms, sign-in in ${p.signIn} ms`).toBeLessThanOrEqual(2 * p.signIn);
  });

  it('keeps the browser signed in across a restart of the app on the same database', async () => {
    await signIn(page, http.origin, operatorToken);
    await page.waitForURL(/\/$/);
    await http.close();
    await t.app.close();
    t = await openTestApp({ agentLeaseSeconds: '300' }, dir.dir);
    http = await startTestHttp(t.app); // a new port: cookies are per host, not per port
    await page.goto(`${http.origin}/agents`);
    await waitText(page, 'h1', 'Agents');
    expect(page.url()).not.toContain('/login');
  });
});
