import { html, type Html } from './html.js';

/** "Showing 1–50 of 2,007 · Newer · Older" for a cursor-paged list. */
export function pager(opts: { path: string; query: URLSearchParams; param?: string; shown: number; total: number; next: string | null; label: string }): Html {
  const param = opts.param ?? 'cursor';
  const here = new URLSearchParams(opts.query);
  const first = !here.get(param);
  here.delete(param);
  here.delete('notice');
  here.delete('error');
  const href = (cursor: string | null) => {
    const q = new URLSearchParams(here);
    if (cursor) q.set(param, cursor);
    const s = q.toString();
    return `${opts.path}${s ? `?${s}` : ''}`;
  };
  return html`<nav class="pager" aria-label="${opts.label} pages"><span class="meta">${opts.shown} shown of <strong class="total">${opts.total.toLocaleString('en')}</strong></span>
${first ? '' : html` <a href="${href(null)}">First page</a>`}${opts.next ? html` <a href="${href(opts.next)}" rel="next">Next page</a>` : ''}</nav>`;
}
