/**
 * The audit chain's head, anchored outside the database: `<data dir>/audit-anchor.json` (0600)
 * holds the newest event's seq and hash seen by this fleet's servers, rewritten (atomically, never
 * backwards) by every server's sweep and by `fleetdeck audit anchor`. Deleting events from the
 * tail of the log leaves the chain itself consistent; `audit verify` finds it by comparing with
 * the anchor. It lives beside the database, so it guards against changes made through the
 * database (SQL access, a restored or truncated copy), not against someone who can also rewrite
 * the data directory; copy the anchor elsewhere for that (docs/identity-and-liveness.md).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Deps } from './deps.js';
import { readTx } from './tx.js';

export interface AuditAnchor {
  seq: number;
  hash: string;
  /** when it was written (ms since the epoch) */
  at: number;
}

export const ANCHOR_FILE = 'audit-anchor.json';

export function anchorPath(deps: Deps): string {
  return join(deps.settings.dataDir, ANCHOR_FILE);
}

export function readAnchor(deps: Deps): AuditAnchor | null {
  const file = anchorPath(deps);
  if (!existsSync(file)) return null;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<AuditAnchor>;
  if (typeof parsed.seq !== 'number' || typeof parsed.hash !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.hash)) {
    throw new Error(`${file} is not an audit anchor`);
  }
  return { seq: parsed.seq, hash: parsed.hash, at: typeof parsed.at === 'number' ? parsed.at : 0 };
}

/** Writes the current head to the anchor unless the anchor already records a later one. Returns the anchor in force. */
export async function anchorAudit(deps: Deps): Promise<AuditAnchor | null> {
  const head = await readTx(deps, async (tx, now) => {
    const seq = await tx.events.lastSeq();
    if (seq === 0) return null;
    const [event] = await tx.events.list({ afterSeq: seq - 1, limit: 1 });
    return event ? { seq: event.seq, hash: event.hash, at: now } : null;
  });
  const current = readAnchor(deps);
  if (head === null || (current !== null && current.seq >= head.seq)) return current;
  const file = anchorPath(deps);
  const scratch = `${file}.${process.pid}.tmp`;
  writeFileSync(scratch, `${JSON.stringify(head)}\n`, { mode: 0o600 });
  renameSync(scratch, file);
  return head;
}
