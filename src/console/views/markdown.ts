import type { MarkdownIt } from 'markdown-it';
import { raw, type Html } from './html.js';

/**
 * Agent-written Markdown (handoffs, results, blocker context) rendered by markdown-it, configured
 * safe: no raw HTML (html: false escapes it), no images (nothing loads from elsewhere), and links
 * only to http(s) or relative targets (validateLink refuses javascript:, data:, vbscript:, file:,
 * protocol-relative `//host` and everything else). Loaded on first use: it is not start-up weight.
 */
let renderer: Promise<MarkdownIt> | null = null;

const SAFE_LINK = /^(?:https?:\/\/|\/(?![/\\])|#|\.{1,2}\/|[^:/?#\\]+(?:[/?#]|$))/i;

export function isSafeLink(url: string): boolean {
  const trimmed = url.trim();
  // no control characters, no whitespace inside (browsers strip tabs and newlines from URLs)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u0020\u007f\\]/.test(trimmed)) return false;
  return SAFE_LINK.test(trimmed);
}

async function load(): Promise<MarkdownIt> {
  const { default: markdownIt } = await import('markdown-it');
  const md = markdownIt('commonmark', { html: false, linkify: false, typographer: false, breaks: true });
  md.disable(['image']);
  md.validateLink = isSafeLink;
  const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow');
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  return md;
}

/** Markdown as safe HTML inside a `.md` block. */
export async function markdown(text: string): Promise<Html> {
  renderer ??= load();
  const md = await renderer;
  return raw(`<div class="md">${md.render(text)}</div>`);
}
