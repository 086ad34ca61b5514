import type { PoolClient } from 'pg';
import type { FleetEvent } from '../../domain/event.js';
import type { Statement } from './statement.js';

export type TxMode = 'read' | 'write';

/**
 * One transaction on one pooled connection, shared by the repositories of a Tx. It counts round
 * trips (the benchmark reports them per tool) and remembers the per-transaction locks already taken.
 *
 * The connection is in node-postgres's pipeline mode: a statement is written as soon as it is
 * issued, without waiting for the answers of those before it. A statement whose result nobody
 * needs (BEGIN, an UPDATE whose repository method returns nothing) is only sent (`defer`); the
 * next statement that is waited for, or the COMMIT, carries it in the same round trip, and its
 * failure surfaces there, before that statement's (the transaction is aborted either way).
 * A round trip here is one wait for the server.
 */
export class PgSession {
  roundTrips = 0;
  /** workspaces whose claims advisory lock this transaction holds */
  readonly lockedWorkspaces = new Set<string>();
  /** events appended in this transaction, sent to the inbox with the COMMIT (commit-log.ts) */
  readonly pendingEvents: { event: FleetEvent; payloadJson: string }[] = [];
  /**
   * Rows this transaction already read, by id, so a service that reads one agent or run several
   * times in a call costs one round trip. Runs are cached only when this transaction holds their
   * row lock (read FOR NO KEY UPDATE, inserted, or updated by it) or in a read snapshot, so nobody
   * else can change them meanwhile; an agent row is dropped whenever this transaction writes it.
   * Raw rows: each read maps a fresh domain object.
   */
  readonly cache = { agents: new Map<string, unknown>(), runs: new Map<string, unknown>() };
  /** statements sent and not waited for, oldest first */
  private inflight: Promise<unknown>[] = [];

  constructor(
    readonly client: PoolClient,
    readonly mode: TxMode,
  ) {}

  get writing(): boolean {
    return this.mode === 'write';
  }

  async rows<R>(st: Statement, values: unknown[] = []): Promise<R[]> {
    const result = await this.wait(this.client.query<R & object>({ name: st.name, text: st.text, values }));
    return result.rows as R[];
  }

  async one<R>(st: Statement, values: unknown[] = []): Promise<R | null> {
    return (await this.rows<R>(st, values))[0] ?? null;
  }

  async run(st: Statement, values: unknown[] = []): Promise<number> {
    const result = await this.wait(this.client.query({ name: st.name, text: st.text, values }));
    return result.rowCount ?? 0;
  }

  /** Sends a statement whose result nobody waits for; it rides with the next round trip. */
  defer(st: Statement | string, values: unknown[] = []): void {
    const sent = typeof st === 'string' ? this.client.query(st) : this.client.query({ name: st.name, text: st.text, values });
    sent.catch(() => {}); // surfaced by the next wait
    this.inflight.push(sent);
  }

  /** A statement outside the prepared set (COMMIT, DDL). */
  async simple(text: string): Promise<void> {
    await this.wait(this.client.query(text));
  }

  /** Waits for everything sent before `latest`, then for it: the first failure is the one thrown. */
  private async wait<T>(latest: Promise<T>): Promise<T> {
    this.roundTrips++;
    latest.catch(() => {});
    for (const earlier of this.inflight.splice(0)) await earlier;
    return latest;
  }
}
