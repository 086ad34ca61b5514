import type { Store, Tx } from '../store/port/index.js';

/**
 * When expiry may next have work: the earliest deadline (agent lease, claim expiry, run lease, run
 * TTL) this process knows of. A write runs the expiry pass only once that time has come, instead of
 * probing every concept before every write. Deadlines written by this process lower the gate at
 * once (`observeDeadlines`); deadlines other processes write are learned by the sweep, which re-reads
 * the earliest deadline on every tick. Between those, rules never depend on the pass having run:
 * the statements that act on expirable state carry their own predicates (a claim past its expiry or
 * held by an agent past its lease never conflicts; a queued run past its TTL is never taken).
 */
export class ExpiryGate {
  /** -Infinity: unknown, so the next write runs the pass and learns the deadline */
  private next = -Infinity;

  isDue(now: number): boolean {
    return now >= this.next;
  }

  lower(at: number | null | undefined): void {
    if (at !== null && at !== undefined && at < this.next) this.next = at;
  }

  /** After a pass: the earliest deadline left in the database (null: none). */
  set(at: number | null): void {
    this.next = at ?? Infinity;
  }

  get nextAt(): number {
    return this.next;
  }
}

const gates = new WeakMap<Store, ExpiryGate>();

/** One gate per store (so per process and database), shared by every service using that store. */
export function expiryGate(store: Store): ExpiryGate {
  let gate = gates.get(store);
  if (!gate) {
    gate = new ExpiryGate();
    gates.set(store, gate);
  }
  return gate;
}

/** The earliest deadline of anything that can expire, read in the caller's transaction. */
export async function nextDeadline(tx: Tx): Promise<number | null> {
  const all = [await tx.agents.nextExpiry(), await tx.claims.nextExpiry(), await tx.runs.nextDeadline()].filter((t): t is number => t !== null);
  return all.length > 0 ? Math.min(...all) : null;
}

/**
 * The transaction's repositories, with the methods that write a deadline reporting it to the gate.
 * Only those methods are wrapped; the rest are the store's own objects.
 */
export async function observeDeadlines(tx: Tx, gate: ExpiryGate): Promise<Tx> {
  const { agents, claims, runs } = tx;
  return {
    ...tx,
    agents: {
      ...agents,
      insert: async (row) => {
        gate.lower(row.now + row.leaseSeconds * 1000);
        return await agents.insert(row);
      },
    },
    claims: {
      ...claims,
      insert: async (row) => {
        const claim = await claims.insert(row);
        gate.lower(claim.expiresAt);
        return claim;
      },
      update: async (id, u) => {
        gate.lower(u.expiresAt);
        return await claims.update(id, u);
      },
      transferRun: async (runId, to, now) => {
        const moved = await claims.transferRun(runId, to, now);
        for (const claim of moved) gate.lower(claim.expiresAt);
        return moved;
      },
    },
    runs: {
      ...runs,
      insert: async (row) => {
        const run = await runs.insert(row);
        gate.lower(run.leaseExpiresAt);
        gate.lower(run.expiresAt);
        return run;
      },
      takeNext: async (agentId, role, now, leaseExpiresAt) => {
        const run = await runs.takeNext(agentId, role, now, leaseExpiresAt);
        if (run) gate.lower(run.leaseExpiresAt);
        return run;
      },
      update: async (id, expect, patch, now) => {
        const run = await runs.update(id, expect, patch, now);
        if (run) {
          gate.lower(run.state === 'leased' ? run.leaseExpiresAt : null);
          gate.lower(run.state === 'queued' ? run.expiresAt : null);
        }
        return run;
      },
    },
  };
}
