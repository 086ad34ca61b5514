import type { NewSignal, Signal, SignalKind } from '../../../domain/signal.js';
import type { SignalRepo } from '../../port/signals.js';
import { parseJson, toJson } from '../../sqlite/repos/json.js';
import type { Asyncify } from '../async-port.js';
import { flushCommitLog } from '../commit-log.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';

interface SignalRow {
  id: number;
  kind: string;
  run_id: string | null;
  subject_id: string | null;
  message: string;
  payload: string;
  created_at: number;
}

const toSignal = (r: SignalRow): Signal => ({
  id: r.id,
  kind: r.kind as SignalKind,
  runId: r.run_id,
  subjectId: r.subject_id,
  message: r.message,
  payload: parseJson<Record<string, unknown>>(r.payload, {}),
  createdAt: r.created_at,
});

const COLUMNS = 'id, kind, run_id, subject_id, message, payload, created_at';

const PENDING = sql(`SELECT ${COLUMNS} FROM signals
  WHERE agent_id = $1 AND id > (SELECT signal_cursor FROM agents WHERE id = $1) ORDER BY id LIMIT $2`);
// In a write transaction the agent's row is locked first, so two calls of one agent on two replicas
// that deliver in one transaction each never carry the same signal: the second waits, then reads
// the cursor the first moved.
const PENDING_LOCKED = sql(`WITH cursor AS (SELECT signal_cursor FROM agents WHERE id = $1 FOR NO KEY UPDATE)
  SELECT ${COLUMNS} FROM signals, cursor WHERE agent_id = $1 AND id > cursor.signal_cursor ORDER BY id LIMIT $2`);
const RECENT = sql(`SELECT ${COLUMNS} FROM signals WHERE agent_id = $1 ORDER BY id DESC LIMIT $2`);

export function pgSignalRepo(s: PgSession): Asyncify<SignalRepo> {
  const many = async (st: typeof PENDING, values: unknown[]) => (await s.rows<SignalRow>(st, values)).map(toSignal);
  return {
    // Buffered until commit (see commit-log.ts): the id is drawn under the chain head lock.
    insert: async (source: NewSignal, now: number) => {
      if (!s.writing) throw new Error('signals are inserted in write transactions only');
      const signal: Signal = {
        id: 0,
        kind: source.kind,
        runId: source.runId ?? null,
        subjectId: source.subjectId ?? null,
        message: source.message,
        payload: source.payload ?? {},
        createdAt: now,
      };
      s.pendingSignals.push({ signal, agentId: source.agentId, payloadJson: toJson(source.payload ?? {}), source });
      return signal;
    },
    listPending: async (agentId, limit) => {
      if (!s.writing) return many(PENDING, [agentId, limit]);
      await flushCommitLog(s);
      return many(PENDING_LOCKED, [agentId, limit]);
    },
    recent: async (agentId, limit) => {
      if (s.writing) await flushCommitLog(s);
      return many(RECENT, [agentId, limit]);
    },
  };
}
