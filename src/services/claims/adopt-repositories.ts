/**
 * Claims made before workspaces were repositories are keyed by a directory path (a git
 * top-level). `serve` moves the active ones to their repository's identity when it starts, so
 * they keep conflicting with claims made in other worktrees and clones from now on; a path whose
 * repository cannot be derived (gone, or not on this host) is kept as it is. Claims are short-lived
 * (their TTL and the holder's lease), so moving the active ones is the whole migration.
 */
import type { Deps } from '../deps.js';
import { writeTx, readTx } from '../tx.js';
import { canonicalWorkspace } from '../workspace-identity.js';

const MAX_WORKSPACES = 200;

export async function adoptRepositoryWorkspaces(deps: Deps): Promise<{ from: string; to: string; claims: number }[]> {
  const paths = await readTx(deps, async (tx) => await tx.claims.activePathWorkspaces(MAX_WORKSPACES));
  const moves = paths.map((from) => ({ from, to: canonicalWorkspace(from) })).filter((m) => m.to !== m.from);
  const done: { from: string; to: string; claims: number }[] = [];
  for (const move of moves) {
    const ids = await writeTx(deps, async (tx, now) => {
      const moved = await tx.claims.moveWorkspace(move.from, move.to);
      if (moved.length > 0) {
        await tx.events.append({ actor: 'system', type: 'claim.workspace_moved', payload: { from: move.from, to: move.to, claim_ids: moved.slice(0, 100), claims: moved.length } }, now);
      }
      return moved;
    });
    if (ids.length > 0) done.push({ ...move, claims: ids.length });
  }
  return done;
}
