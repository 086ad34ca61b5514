import { html, type Html, type HtmlPart } from './html.js';

export interface PageContext {
  operator: string;
  csrf: string;
  /** the request path and query, for forms that come back here */
  here: string;
  /** a notice after a plain (no-script) form post */
  notice?: string;
  error?: string;
}

export const NAV = [
  { href: '/', label: 'Overview', key: 'overview' },
  { href: '/agents', label: 'Agents', key: 'agents' },
  { href: '/runs', label: 'Runs', key: 'runs' },
  { href: '/claims', label: 'Claims', key: 'claims' },
  { href: '/blockers', label: 'Blockers', key: 'blockers' },
  { href: '/events', label: 'Events', key: 'events' },
  { href: '/queue', label: 'Queue', key: 'queue' },
] as const;

export type ViewKey = (typeof NAV)[number]['key'];

export interface View {
  title: string;
  nav: ViewKey;
  /** above the live region: filters and anything the operator types into (not replaced live) */
  controls?: Html;
  /** the live region: re-rendered and swapped in when the event log moves */
  body: Html;
}

export function page(ctx: PageContext, view: View): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="csrf-token" content="${ctx.csrf}">
<title>${view.title} · fleetdeck</title>
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/">fleetdeck</a>
  <nav aria-label="Views"><ul>${NAV.map(
    (n) => html`<li><a href="${n.href}"${n.key === view.nav ? html` aria-current="page"` : ''}>${n.label}</a></li>`,
  )}</ul></nav>
  <div class="who">
    <span class="live-status" id="live-status" role="status" aria-live="polite" title="live updates">offline</span>
    <span class="operator">${ctx.operator}</span>
    <form method="post" action="/logout" class="inline">${csrfField(ctx)}<button type="submit" class="link">Sign out</button></form>
  </div>
</header>
<main id="main" tabindex="-1">
<h1>${view.title}</h1>
<div id="flash" role="status" aria-live="polite">${ctx.notice ? html`<p class="notice">${ctx.notice}</p>` : ''}${ctx.error ? html`<p class="error" role="alert">${ctx.error}</p>` : ''}</div>
${view.controls ?? ''}
<div id="live" data-live>${view.body}</div>
</main>
<dialog id="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text">
<form method="dialog">
<h2 id="confirm-title">Are you sure?</h2>
<p id="confirm-text"></p>
<p id="confirm-reason-box" hidden><label><span id="confirm-reason-label"></span><br><input id="confirm-reason" maxlength="500" size="30"></label></p>
<div class="buttons"><button type="submit" value="no" id="confirm-no">No, keep it</button> <button type="submit" value="yes" id="confirm-yes" class="primary">Yes, go ahead</button></div>
</form>
</dialog>
</body>
</html>`;
}

export function csrfField(ctx: Pick<PageContext, 'csrf'>): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrf}">`;
}

/** A form posting to an action; works without script (303 back here), enhanced by console.js. */
export function actionForm(ctx: PageContext, action: string, fields: Record<string, string>, inner: HtmlPart, attrs: { label?: string; className?: string } = {}): Html {
  return html`<form method="post" action="/actions/${action}" class="${attrs.className ?? 'action'}" data-action="${action}"${attrs.label ? html` aria-label="${attrs.label}"` : ''}>${csrfField(ctx)}<input type="hidden" name="back" value="${ctx.here}">${Object.entries(fields).map(
    ([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`,
  )}${inner}</form>`;
}

export function badge(text: string, tone: string = text): Html {
  return html`<span class="badge b-${tone.replace(/[^a-z_]/g, '')}">${text.replace(/_/g, ' ')}</span>`;
}

export function empty(text: string): Html {
  return html`<p class="empty">${text}</p>`;
}
