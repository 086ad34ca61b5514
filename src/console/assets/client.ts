/**
 * The console's only script (served as /static/console.js), plain ES2020 with no dependencies.
 * Pages work without it; with it they stay live and actions post without a reload:
 * - an EventSource on /live; each `change` re-fetches this page and swaps its live region
 *   (deferred while the operator is typing in it, so nothing they type is lost);
 * - action forms are posted with fetch, the CSRF token in the X-CSRF-Token header, and the
 *   answer shown in the status region;
 * - a one-time sign-in page submits itself.
 */
export const CLIENT_JS = String.raw`(() => {
  'use strict';
  const $ = (sel) => document.querySelector(sel);
  const auto = $('form[data-autosubmit]');
  if (auto) { auto.submit(); return; }
  const live = $('#live');
  const status = $('#live-status');
  const flash = $('#flash');
  const csrf = $('meta[name="csrf-token"]');
  if (!live || !csrf) return;

  const setStatus = (text, state) => { if (status) { status.textContent = text; status.dataset.state = state; } };
  const say = (text, isError) => {
    if (!flash) return;
    const p = document.createElement('p');
    p.className = isError ? 'error' : 'notice';
    if (isError) p.setAttribute('role', 'alert');
    p.textContent = text;
    flash.replaceChildren(p);
  };

  const typing = () => {
    const a = document.activeElement;
    if (a && live.contains(a) && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName)) return true;
    return [...live.querySelectorAll('textarea, input:not([type=hidden])')].some((el) => el.value && el.value !== el.defaultValue);
  };

  let timer = null;
  let pending = false;
  let inflight = false;
  async function refresh() {
    timer = null;
    if (typing()) { pending = true; setStatus('live (paused while you type)', 'paused'); return; }
    if (inflight) { pending = true; return; }
    inflight = true;
    pending = false;
    try {
      const res = await fetch(location.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
      if (res.redirected || res.status === 401) { location.reload(); return; }
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const next = doc.querySelector('#live');
      if (!next) return;
      const open = new Set([...live.querySelectorAll('details[open]')].map((d, i) => d.id || 'i' + i));
      live.innerHTML = next.innerHTML;
      [...live.querySelectorAll('details')].forEach((d, i) => { if (open.has(d.id || 'i' + i)) d.open = true; });
      live.dataset.refreshed = String(Date.now());
      document.dispatchEvent(new CustomEvent('console:refreshed'));
      setStatus('live', 'live');
    } catch (e) {
      setStatus('offline', 'offline');
    } finally {
      inflight = false;
      if (pending) schedule();
    }
  }
  const schedule = () => { if (!timer) timer = setTimeout(refresh, 150); };
  live.addEventListener('focusout', () => setTimeout(() => { if (pending && !typing()) schedule(); }, 0));

  if ('EventSource' in window) {
    let source = null;
    const connect = () => {
      source = new EventSource('/live');
      source.addEventListener('hello', () => setStatus('live', 'live'));
      source.addEventListener('change', schedule);
      source.onerror = () => {
        setStatus('reconnecting', 'offline');
        // closed for good (e.g. the session ended): a refresh finds out (a redirect to sign-in reloads)
        if (source.readyState === EventSource.CLOSED) { schedule(); setTimeout(connect, 5000); }
      };
    };
    connect();
  }

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.action) return;
    event.preventDefault();
    // a decision is only ever a pressed button: never a submit without one (Enter, form.submit())
    if (form.querySelector('button[name="decision"]') && !(event.submitter && event.submitter.name === 'decision')) return;
    const body = new URLSearchParams(new FormData(form, event.submitter || undefined));
    const buttons = [...form.querySelectorAll('button')];
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const res = await fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', 'X-CSRF-Token': csrf.content },
        body,
      });
      const out = await res.json().catch(() => ({ ok: false, error: { message: 'HTTP ' + res.status } }));
      if (out.ok) { say(out.message, false); form.reset(); }
      else say((out.error.code ? out.error.code + ': ' : '') + out.error.message + (out.error.hint ? ' (' + out.error.hint + ')' : ''), true);
    } catch (e) {
      say('The server could not be reached: ' + e.message, true);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
      schedule();
    }
  });
})();
`;
