/**
 * Replays the audit log's claim events in seq order (the order the write lock imposed) and names
 * every moment two different agents held overlapping scopes with at least one exclusive. The
 * overlap rule here is independent of src/domain/glob: it only knows the small pattern pool the
 * chaos workload draws from, and decides overlap by matching a finite universe of names that
 * contains a witness for every overlapping pair of that pool.
 */
import type { EventRow } from './inspect.js';

interface Held {
  id: string;
  agent: string;
  workspace: string;
  kind: string;
  pattern: string;
  mode: string;
}

export interface OverlapViolation {
  seq: number;
  /** what made the overlap: a grant (claim_scope), or claims moved by an accepted handoff */
  by: 'grant' | 'transfer';
  granted: string;
  held: string;
  witness: string;
}

export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** a name both scopes cover, or null; `universe` must hold a witness for every overlapping pair */
export function overlapWitness(kind: string, a: string, b: string, universe: readonly string[]): string | null {
  if (kind === 'path') {
    const ra = globToRegExp(a);
    const rb = globToRegExp(b);
    return universe.find((name) => ra.test(name) && rb.test(name)) ?? null;
  }
  // resource and test names are hierarchical: area:billing covers area:billing/api
  if (a === b || b.startsWith(`${a}/`)) return b;
  if (a.startsWith(`${b}/`)) return a;
  return null;
}

export function replayClaims(claimEvents: EventRow[], universe: readonly string[]): { violations: OverlapViolation[]; grants: number; maxActive: number } {
  const active = new Map<string, Held>();
  const violations: OverlapViolation[] = [];
  let grants = 0;
  let maxActive = 0;
  const check = (seq: number, claim: Held, by: OverlapViolation['by'] = 'grant') => {
    for (const other of active.values()) {
      if (other.id === claim.id || other.agent === claim.agent) continue;
      if (other.workspace !== claim.workspace || other.kind !== claim.kind) continue;
      if (other.mode !== 'exclusive' && claim.mode !== 'exclusive') continue;
      const witness = overlapWitness(claim.kind, claim.pattern, other.pattern, universe);
      if (witness !== null) violations.push({ seq, by, granted: `${claim.id} ${claim.mode} ${claim.pattern} (${claim.agent})`, held: `${other.id} ${other.mode} ${other.pattern} (${other.agent})`, witness });
    }
  };
  for (let i = 0; i < claimEvents.length; i++) {
    const e = claimEvents[i]!;
    const id = e.subject_id!;
    const p = e.payload as { workspace: string; kind: string; pattern: string; mode: string };
    if (e.type === 'claim.granted') {
      grants++;
      const claim = { id, agent: e.agent_id!, workspace: p.workspace, kind: p.kind, pattern: p.pattern, mode: p.mode };
      check(e.seq, claim);
      active.set(id, claim);
    } else if (e.type === 'claim.extended') {
      const claim = active.get(id);
      if (!claim) continue;
      const next = { ...claim, mode: p.mode };
      active.set(id, next);
      check(e.seq, next);
    } else if (e.type === 'claim.transferred') {
      // an accepted handoff moves all of a run's claims in one transaction: apply the whole batch
      // before judging, or the half-moved state would read as two agents holding them
      // (one transaction's events have consecutive seqs)
      const batch = [e];
      const next = () => claimEvents[i + 1];
      while (next()?.type === 'claim.transferred' && next()!.run_id === e.run_id && next()!.seq === batch[batch.length - 1]!.seq + 1) batch.push(claimEvents[++i]!);
      const moved = new Map<string, Held>();
      for (const t of batch) {
        const claim = active.get(t.subject_id!);
        if (!claim) continue;
        const after = { ...claim, agent: (t.payload.to_agent_id as string | undefined) ?? t.agent_id ?? claim.agent };
        active.set(after.id, after);
        moved.set(after.id, after);
      }
      for (const claim of moved.values()) check(e.seq, claim, 'transfer');
    } else if (e.type === 'claim.released' || e.type === 'claim.expired') {
      active.delete(id);
    }
    maxActive = Math.max(maxActive, active.size);
  }
  return { violations, grants, maxActive };
}
