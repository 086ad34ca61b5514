import { createHash } from 'node:crypto';
import { CLIENT_JS } from './client.js';
import { CONSOLE_CSS } from './style.js';

/** Static assets, compiled into the program: nothing is fetched from anywhere else. */
export interface Asset {
  body: string;
  type: string;
  etag: string;
}

const asset = (body: string, type: string): Asset => ({ body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });

export const ASSETS: Readonly<Record<string, Asset>> = {
  '/static/console.css': asset(CONSOLE_CSS, 'text/css; charset=utf-8'),
  '/static/console.js': asset(CLIENT_JS, 'text/javascript; charset=utf-8'),
};
