import { html, type Html } from './html.js';

const SHOWN_FIELDS = 6;
const VALUE_CHARS = 160;
const JSON_CHARS = 1500;

/** An event payload as readable fields (scalars first), with the whole JSON folded away when it has more. */
export function payloadView(payload: Record<string, unknown>): Html {
  const entries = Object.entries(payload).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (entries.length === 0) return html``;
  const scalar = entries.filter(([, v]) => typeof v !== 'object');
  const shown = scalar.slice(0, SHOWN_FIELDS);
  const more = entries.length > shown.length;
  const json = more ? JSON.stringify(payload, null, 2) : '';
  return html`<dl class="kv">${shown.map(([k, v]) => html`<div><dt>${k}</dt><dd>${String(v).slice(0, VALUE_CHARS)}</dd></div>`)}</dl>${more ? html`<details class="json"><summary>JSON</summary><pre>${json.length > JSON_CHARS ? `${json.slice(0, JSON_CHARS)}\n…` : json}</pre></details>` : ''}`;
}
