import type { NewSignal, Signal, SignalKind } from '../../../domain/signal.js';
import type { SignalRepo } from '../../port/signals.js';
import type { Db } from '../open.js';
import { parseJson, toJson } from './json.js';

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

export function sqliteSignalRepo(db: Db): SignalRepo {
  const insert = db.prepare(`INSERT INTO signals (agent_id, kind, run_id, subject_id, message, payload, created_at)
    VALUES (@agentId, @kind, @runId, @subjectId, @message, @payload, @now)
    RETURNING id, kind, run_id, subject_id, message, payload, created_at`);
  const pending = db.prepare(`SELECT id, kind, run_id, subject_id, message, payload, created_at FROM signals
    WHERE agent_id = @agentId AND id > (SELECT signal_cursor FROM agents WHERE id = @agentId) ORDER BY id LIMIT @limit`);
  const recent = db.prepare(`SELECT id, kind, run_id, subject_id, message, payload, created_at FROM signals
    WHERE agent_id = ? ORDER BY id DESC LIMIT ?`);
  return {
    insert: (s: NewSignal, now: number) =>
      toSignal(
        insert.get({
          agentId: s.agentId,
          kind: s.kind,
          runId: s.runId ?? null,
          subjectId: s.subjectId ?? null,
          message: s.message,
          payload: toJson(s.payload ?? {}),
          now,
        }) as SignalRow,
      ),
    listPending: (agentId, limit) => (pending.all({ agentId, limit }) as SignalRow[]).map(toSignal),
    recent: (agentId, limit) => (recent.all(agentId, limit) as SignalRow[]).map(toSignal),
  };
}
