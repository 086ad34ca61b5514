import type { PoolClient } from 'pg';
import type { FleetEvent } from '../../domain/event.js';
import type { Statement } from './statement.js';

export type TxMode = 'read' | 'write';

/**
 * One transaction on one pooled connection, shared by the repositories of a Tx. It counts round
 * trips (the benchmark reports them per tool) and remembers the per-transaction locks already taken.
 */
export class PgSession {
  roundTrips = 0;
  /** workspaces whose claims advisory lock this transaction holds */
  readonly lockedWorkspaces = new Set<string>();
  /** events appended in this transaction, sent to the inbox with the COMMIT (commit-log.ts) */
  readonly pendingEvents: { event: FleetEvent; payloadJson: string }[] = [];

  constructor(
    readonly client: PoolClient,
    readonly mode: TxMode,
  ) {}

  get writing(): boolean {
    return this.mode === 'write';
  }

  async rows<R>(st: Statement, values: unknown[] = []): Promise<R[]> {
    this.roundTrips++;
    const result = await this.client.query<R & object>({ name: st.name, text: st.text, values });
    return result.rows as R[];
  }

  async one<R>(st: Statement, values: unknown[] = []): Promise<R | null> {
    return (await this.rows<R>(st, values))[0] ?? null;
  }

  async run(st: Statement, values: unknown[] = []): Promise<number> {
    this.roundTrips++;
    const result = await this.client.query({ name: st.name, text: st.text, values });
    return result.rowCount ?? 0;
  }

  /** A statement outside the prepared set (BEGIN, COMMIT, DDL). */
  async simple(text: string): Promise<void> {
    this.roundTrips++;
    await this.client.query(text);
  }
}
