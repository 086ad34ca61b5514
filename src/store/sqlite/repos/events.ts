import { eventHash, GENESIS_HASH, type EventType, type FleetEvent, type NewEvent } from '../../../domain/event.js';
import type { EventQuery, EventRepo, RawEventRow } from '../../port/events.js';
import { toEvent } from '../../rows/events.js';
import type { Db } from '../open.js';

export function sqliteEventRepo(db: Db): EventRepo {
  const last = db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1');
  const insert = db.prepare(`INSERT INTO events (seq, at, actor, type, agent_id, run_id, subject_id, payload, prev_hash, hash)
    VALUES (@seq, @at, @actor, @type, @agentId, @runId, @subjectId, @payloadJson, @prevHash, @hash)`);
  const lastSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck();
  const count = db.prepare('SELECT count(*) FROM events').pluck();
  const raw = db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
  // list() builds its SQL from the filter; each distinct shape is prepared once
  const listStatements = new Map<string, ReturnType<Db['prepare']>>();

  return {
    async append<T extends EventType>(e: NewEvent<T>, now: number): Promise<FleetEvent<T>> {
      const prev = last.get() as { seq: number; hash: string } | undefined;
      const row = {
        seq: (prev?.seq ?? 0) + 1,
        at: now,
        actor: e.actor,
        type: e.type,
        agentId: e.agentId ?? null,
        runId: e.runId ?? null,
        subjectId: e.subjectId ?? null,
        payloadJson: JSON.stringify(e.payload),
        prevHash: prev?.hash ?? GENESIS_HASH,
      };
      const hash = eventHash(row);
      insert.run({ ...row, hash });
      return { ...row, payload: e.payload, hash } as FleetEvent<T>;
    },
    async list(q: EventQuery): Promise<FleetEvent[]> {
      const where: string[] = [];
      const params: unknown[] = [];
      if (q.afterSeq !== undefined) {
        where.push('seq > ?');
        params.push(q.afterSeq);
      }
      if (q.agentId) {
        where.push('agent_id = ?');
        params.push(q.agentId);
      }
      if (q.runId) {
        where.push('run_id = ?');
        params.push(q.runId);
      }
      if (q.subjectId) {
        where.push('subject_id = ?');
        params.push(q.subjectId);
      }
      if (q.types && q.types.length > 0) {
        where.push(`type IN (${q.types.map(() => '?').join(',')})`);
        params.push(...q.types);
      }
      const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY seq ${q.newestFirst ? 'DESC' : 'ASC'} LIMIT ?`;
      let stmt = listStatements.get(sql);
      if (!stmt) {
        stmt = db.prepare(sql);
        listStatements.set(sql, stmt);
      }
      return (stmt.all([...params, q.limit]) as RawEventRow[]).map(toEvent);
    },
    lastSeq: async () => lastSeq.get() as number,
    listRaw: async (afterSeq, limit) => raw.all(afterSeq, limit) as RawEventRow[],
    count: async () => count.get() as number,
  };
}
