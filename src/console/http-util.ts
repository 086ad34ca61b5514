import type { IncomingMessage, ServerResponse } from 'node:http';
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
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
  'Cache-Control': 'no-store',
};

/** A request the console refuses with a plain HTTP status (415, 413) rather than a fleet error code. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

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
  res.writeHead(200, { 'Content-Type': type, ETag: etag, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', 'Permissions-Policy': SECURITY_HEADERS['Permissions-Policy']! }).end(body);
}

/** Reads an application/x-www-form-urlencoded body, refusing anything larger than `max`. */
export async function readForm(req: IncomingMessage, max = MAX_FORM_BYTES): Promise<URLSearchParams> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new HttpRefusal(415, 'the console takes form posts (application/x-www-form-urlencoded)', 'submit the form on the page');
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) throw new HttpRefusal(413, `form of ${declared} bytes exceeds ${max}`, 'shorten the text');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      req.resume(); // drain the rest so the 413 reaches the client
      throw new HttpRefusal(413, `form exceeds ${max} bytes`, 'shorten the text');
    }
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A same-origin path to go back to after a form post: `/` followed by a path, nothing else. A second
 * slash or a backslash after the first (`//host`, `/\\host`), and any control character, space,
 * tab or newline (browsers drop tabs and newlines from URLs, so `/\t/host` is read as `//host`)
 * make it `fallback`.
 */
export function localPath(candidate: string | null | undefined, fallback = '/'): string {
  if (!candidate || candidate.length > 2000) return fallback;
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  return /^\/(?![/\\])[^\\\u0000-\u0020\u007f-\u009f]*$/.test(candidate) ? candidate : fallback;
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
