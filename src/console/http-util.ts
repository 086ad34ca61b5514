import type { IncomingMessage, ServerResponse } from 'node:http';
import { FleetError } from '../domain/errors.js';
import type { Html } from './views/html.js';

/** Console forms are small: a decision text is the largest field. */
export const MAX_FORM_BYTES = 64 * 1024;

/** Security headers of every console response: no framing, no sniffing, nothing from elsewhere. */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export function sendHtml(res: ServerResponse, status: number, body: Html | string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', ...headers }).end(String(body));
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, Location: location, ...headers }).end();
}

export function sendAsset(res: ServerResponse, body: string, type: string, etag: string, req: IncomingMessage): void {
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag }).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': type, ETag: etag, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' }).end(body);
}

/** Reads an application/x-www-form-urlencoded body, refusing anything larger than `max`. */
export async function readForm(req: IncomingMessage, max = MAX_FORM_BYTES): Promise<URLSearchParams> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new FleetError('INVALID_INPUT', 'the console takes form posts (application/x-www-form-urlencoded)', 'submit the form on the page');
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) throw new FleetError('TOO_LARGE', `form of ${declared} bytes exceeds ${max}`, 'shorten the text');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new FleetError('TOO_LARGE', `form exceeds ${max} bytes`, 'shorten the text');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** A same-site path to go back to after a form post; anything else (an open redirect) becomes `/`. */
export function localPath(candidate: string | null | undefined, fallback = '/'): string {
  if (!candidate || candidate.length > 2000) return fallback;
  if (!candidate.startsWith('/') || candidate.startsWith('//') || candidate.includes('\\')) return fallback;
  return candidate;
}

/** The browser asked for JSON (the progressive-enhancement script does); plain forms get pages. */
export function wantsJson(req: IncomingMessage): boolean {
  return String(req.headers.accept ?? '').includes('application/json');
}

export function httpStatusOf(code: string): number {
  switch (code) {
    case 'INVALID_INPUT':
    case 'MISSING_EVIDENCE':
      return 400;
    case 'NOT_REGISTERED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'INVALID_STATE':
    case 'LEASE_LOST':
      return 409;
    case 'TOO_LARGE':
      return 413;
    case 'BUSY':
      return 503;
    default:
      return 500;
  }
}
