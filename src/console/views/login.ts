import { html, type Html } from './html.js';

function shell(title: string, inner: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title} · fleetdeck</title>
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script>
</head>
<body class="center">
<main id="main" class="signin">
<p class="brand">fleetdeck</p>
${inner}
</main>
</body>
</html>`;
}

/** The sign-in form: an operator token in a password field named `token`. */
export function loginPage(opts: { csrf: string; next: string; error?: string }): Html {
  return shell(
    'Sign in',
    html`<h1>Operator console</h1>
${opts.error ? html`<p class="error" role="alert" id="login-error">${opts.error}</p>` : ''}
<form method="post" action="/login" class="stack">
<input type="hidden" name="_csrf" value="${opts.csrf}">
<input type="hidden" name="next" value="${opts.next}">
<label for="token">Operator token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus maxlength="200" spellcheck="false"${opts.error ? html` aria-describedby="login-error"` : ''}>
<button type="submit" class="primary">Sign in</button>
</form>
<p class="meta">Create one with <code>fleetdeck token create --operator</code>, or run <code>fleetdeck console</code> for a one-time link.</p>`,
  );
}

/** A one-time link lands here; the code is posted (never consumed by a GET, which a prefetch could do). */
export function codePage(opts: { csrf: string; code: string }): Html {
  return shell(
    'Sign in',
    html`<h1>Operator console</h1>
<form method="post" action="/login" class="stack" data-autosubmit>
<input type="hidden" name="_csrf" value="${opts.csrf}">
<input type="hidden" name="code" value="${opts.code}">
<p>Sign in with the one-time link from <code>fleetdeck console</code>.</p>
<button type="submit" class="primary">Continue</button>
</form>`,
  );
}

export function errorPage(status: number, message: string, hint?: string, back = '/'): Html {
  return shell(
    `Error ${status}`,
    html`<h1>${status === 404 ? 'Not found' : 'That did not work'}</h1><p class="error" role="alert">${message}</p>${hint ? html`<p class="meta">${hint}</p>` : ''}<p><a href="${back}">Back</a></p>`,
  );
}

const CONFIRM_TEXT: Record<string, string> = {
  'cancel-run': 'Cancel this run? Its holder loses the lease and its claims are released.',
  'force-release': 'Force-release these claims? Their holder is told, and may lose work in progress.',
  'requeue-dead': 'Requeue these dead letters? Each goes back to the queue for a new attempt.',
  'forget-stale-agents': 'Forget the stale agents that hold nothing? They leave the lists until their next sign of life.',
  'resolve-blocker': 'Cancel the run this blocker belongs to?',
};

/** A post that needs confirming, from a page without script: the same fields again, plus `confirmed`. */
export function confirmPage(action: string, form: URLSearchParams, back: string): Html {
  return shell(
    'Confirm',
    html`<h1>Confirm</h1>
<p>${CONFIRM_TEXT[action] ?? 'Go ahead?'}</p>
<form method="post" action="/actions/${action}" class="stack">
${[...form].filter(([k]) => k !== 'confirmed').map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<input type="hidden" name="confirmed" value="yes">
<button type="submit" class="primary danger">Yes, ${action === 'resolve-blocker' ? 'cancel the run' : action.replace(/-/g, ' ')}</button>
</form>
<p><a href="${back}">No, go back</a></p>`,
  );
}
