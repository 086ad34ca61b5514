/**
 * The console's only script (served as /static/console.js): live updates, actions over fetch with
 * the CSRF header, the confirmation dialog, local times. Every page works without it.
 */
export const CLIENT_JS = String.raw`(() => {
  'use strict';
  const $ = (sel, root) => (root || document).querySelector(sel);
  const auto = $('form[data-autosubmit]');
  if (auto) { auto.submit(); return; }

  // ---- times: local, with the age; UTC stays in the title (hover) ----
  const rel = (ms) => {
    const s = Math.round(Math.abs(ms) / 1000);
    const t = s < 60 ? s + 's' : s < 3600 ? Math.round(s / 60) + 'm' : s < 172800 ? (s / 3600).toFixed(1) + 'h' : Math.round(s / 86400) + 'd';
    return ms >= 0 ? t + ' ago' : 'in ' + t;
  };
  const fmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  function localTimes(root) {
    for (const el of (root || document).querySelectorAll('time[datetime]')) {
      const at = Date.parse(el.getAttribute('datetime'));
      if (Number.isNaN(at)) continue;
      if (!el.dataset.utc) el.dataset.utc = el.title || el.textContent;
      el.title = el.dataset.utc + ' (UTC)';
      el.textContent = fmt.format(new Date(at)) + ' · ' + rel(Date.now() - at);
    }
  }
  localTimes();
  setInterval(() => localTimes(), 30000);

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

  // ---- results next to their control, kept across live updates ----
  const formKey = (form) => form.getAttribute('action') + '?' + [...form.querySelectorAll('input[type=hidden]')].filter((i) => i.name !== '_csrf' && i.name !== 'back' && i.name !== 'reason').map((i) => i.name + '=' + i.value).join('&');
  const results = new Map();
  function showResult(form, text, isError) {
    let out = form.querySelector('output.result');
    if (!out) { out = document.createElement('output'); out.className = 'result'; out.setAttribute('aria-live', 'polite'); form.append(out); }
    out.textContent = text;
    out.dataset.state = isError ? 'error' : 'ok';
    if (isError) out.setAttribute('role', 'alert'); else out.removeAttribute('role');
    results.set(formKey(form), { text, isError, at: Date.now() });
  }
  function restoreResults() {
    for (const form of live.querySelectorAll('form[data-action]')) {
      const r = results.get(formKey(form));
      if (r && Date.now() - r.at < 60000) showResult(form, r.text, r.isError);
    }
  }

  // ---- live updates: coalesced, never for heartbeats alone, never under the operator's hands ----
  const MIN_GAP_MS = 3000;
  const typing = () => {
    const a = document.activeElement;
    if (a && live.contains(a) && /^(INPUT|TEXTAREA|SELECT)$/.test(a.tagName)) return true;
    return [...live.querySelectorAll('textarea, input:not([type=hidden])')].some((el) => el.value && el.value !== el.defaultValue);
  };
  const selecting = () => {
    const sel = document.getSelection();
    return !!sel && !sel.isCollapsed && sel.rangeCount > 0 && live.contains(sel.getRangeAt(0).commonAncestorContainer);
  };
  const dialogOpen = () => !!$('dialog[open]');
  // an older page of a list does not move with new events
  const pinned = /[?&]cursor=/.test(location.search);

  let timer = null;
  let pending = false;
  let inflight = false;
  let last = 0;
  const stats = { refreshes: 0, bytes: 0, skippedHeartbeats: 0, unchanged: 0 };
  window.__consoleLive = stats;
  async function refresh() {
    timer = null;
    if (typing() || selecting() || dialogOpen()) { pending = true; setStatus('live (paused while you work)', 'paused'); return; }
    if (inflight) { pending = true; return; }
    inflight = true;
    pending = false;
    last = Date.now();
    try {
      const res = await fetch(location.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
      if (res.redirected || res.status === 401) { location.reload(); return; }
      if (!res.ok) return;
      const text = await res.text();
      stats.refreshes++;
      stats.bytes += text.length;
      const doc = new DOMParser().parseFromString(text, 'text/html');
      const next = doc.querySelector('#live');
      if (!next) return;
      localTimes(next);
      // patch only what changed: each top-level block of the live region is compared and swapped alone
      const before = [...live.children];
      const after = [...next.children];
      if (before.length === after.length && before.every((el, i) => el.tagName === after[i].tagName)) {
        let changed = 0;
        after.forEach((el, i) => { if (!el.isEqualNode(before[i])) { patch(before[i], el); changed++; } });
        if (changed === 0) stats.unchanged++;
      } else {
        live.replaceChildren(...after.map((el) => document.importNode(el, true)));
      }
      restoreResults();
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
  // within a swapped block, <details> the operator opened stay open
  function patch(old, fresh) {
    const key = (d, i) => d.id || (d.closest('[id]') ? d.closest('[id]').id : 'i' + i);
    const open = new Set([...old.querySelectorAll('details[open]')].map(key));
    const copy = document.importNode(fresh, true);
    old.replaceWith(copy);
    [...copy.querySelectorAll('details')].forEach((d, i) => { if (open.has(key(d, i))) d.open = true; });
  }
  const schedule = () => {
    if (timer || pinned) return;
    const wait = Math.max(150, last + MIN_GAP_MS - Date.now());
    timer = setTimeout(refresh, wait);
  };
  live.addEventListener('focusout', () => setTimeout(() => { if (pending && !typing()) schedule(); }, 0));
  document.addEventListener('selectionchange', () => { if (pending && !selecting()) schedule(); });

  if ('EventSource' in window) {
    let source = null;
    const connect = () => {
      source = new EventSource('/live');
      source.addEventListener('hello', () => setStatus('live', 'live'));
      source.addEventListener('change', (ev) => {
        let types = [];
        try { types = JSON.parse(ev.data).types || []; } catch (e) { types = []; }
        if (types.length > 0 && types.every((t) => t === 'agent.heartbeat')) { stats.skippedHeartbeats++; return; }
        schedule();
      });
      source.onerror = () => {
        setStatus('reconnecting', 'offline');
        // closed for good (e.g. the session ended): a refresh finds out (a redirect to sign-in reloads)
        if (source.readyState === EventSource.CLOSED) { schedule(); setTimeout(connect, 5000); }
      };
    };
    connect();
  }

  // ---- the confirmation dialog (a real <dialog>: modal, focus kept inside, Escape cancels) ----
  const dialog = $('#confirm');
  function ask(question, reasonLabel, danger) {
    return new Promise((resolve) => {
      if (!dialog || !dialog.showModal) { resolve(window.confirm(question) ? { reason: '' } : null); return; }
      const opener = document.activeElement;
      $('#confirm-text', dialog).textContent = question;
      const reasonBox = $('#confirm-reason-box', dialog);
      const reason = $('#confirm-reason', dialog);
      reasonBox.hidden = !reasonLabel;
      $('#confirm-reason-label', dialog).textContent = reasonLabel || '';
      reason.value = '';
      const yes = $('#confirm-yes', dialog);
      yes.classList.toggle('danger', !!danger);
      dialog.returnValue = '';
      dialog.showModal();
      (reasonLabel ? reason : $('#confirm-no', dialog)).focus();
      dialog.addEventListener('close', () => {
        const ok = dialog.returnValue === 'yes';
        if (opener && opener.isConnected) opener.focus();
        resolve(ok ? { reason: reason.value.trim() } : null);
      }, { once: true });
    });
  }

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.action) return;
    event.preventDefault();
    // a decision is only ever a pressed button: never a submit without one (Enter, form.submit())
    if (form.querySelector('button[name="decision"]') && !(event.submitter && event.submitter.name === 'decision')) return;
    const submitter = event.submitter;
    const body = new URLSearchParams(new FormData(form, submitter || undefined));
    const question = submitter && submitter.dataset.confirm;
    const reasonLabel = submitter && submitter.dataset.reason;
    if (question || reasonLabel) {
      const answer = await ask(question || reasonLabel, question ? (submitter.dataset.reasonLabel || '') : 'Reason (optional)', !!question);
      if (!answer) { showResult(form, 'Not done: cancelled.', false); return; }
      if (answer.reason) body.set('reason', answer.reason);
      body.set('confirmed', 'yes');
    }
    const buttons = [...form.querySelectorAll('button')];
    buttons.forEach((b) => { b.dataset.wasDisabled = b.disabled ? '1' : ''; b.disabled = true; });
    try {
      const res = await fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', 'X-CSRF-Token': csrf.content },
        body,
      });
      const out = await res.json().catch(() => ({ ok: false, error: { message: 'HTTP ' + res.status } }));
      if (out.ok) { showResult(form, out.message, false); say(out.message, false); form.reset(); }
      else {
        const text = (out.error.code ? out.error.code + ': ' : '') + out.error.message + (out.error.hint ? ' (' + out.error.hint + ')' : '');
        showResult(form, text, true);
        say(text, true);
      }
    } catch (e) {
      showResult(form, 'The server could not be reached: ' + e.message, true);
    } finally {
      buttons.forEach((b) => { b.disabled = b.dataset.wasDisabled === '1'; });
      schedule();
    }
  });
})();
`;
