import { html, type Html } from './html.js';

/** Display helpers shared by the views: ages, times, sizes. */
export function age(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)}h`;
  return `${Math.round(s / 86_400)}d`;
}

export function isoTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : new Date(ms).toISOString();
}

/** `2026-11-23 12:00:05Z`: readable, and still UTC like the audit log. */
export function shortTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '–' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function percent(x: number | null): string {
  return x === null ? '–' : `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}

/** `257.3k`: token counts at a glance. */
export function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export const stateLabel = (state: string): string => state.replace(/_/g, ' ');

/**
 * A time as `<time datetime>`: the page shows UTC; the script rewrites it to the reader's local
 * time with a relative age, and keeps UTC in the title (shown on hover).
 */
export function timeTag(ms: number | null | undefined): Html {
  if (ms === null || ms === undefined) return html`–`;
  return html`<time datetime="${new Date(ms).toISOString()}" title="${shortTime(ms)}">${shortTime(ms)}</time>`;
}
