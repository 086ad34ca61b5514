import type { EventType, FleetEvent, NewEvent } from '../../../domain/event.js';
import type { EventQuery, EventRepo, RawEventRow } from '../../port/events.js';
import { toEvent } from '../../rows/events.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';
import { Params } from './params.js';

const RAW_COLUMNS = 'seq, at, actor, type, agent_id, run_id, subject_id, payload, prev_hash, hash';

const LAST_SEQ = sql('SELECT coalesce(max(seq), 0) AS seq FROM events');
const COUNT = sql('SELECT count(*) AS n FROM events');
const PAGE = sql(`SELECT ${RAW_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2`);

export function pgEventRepo(s: PgSession): EventRepo {
  /** This transaction's own appends matching q: a write transaction reads its events, not yet in the log. */
  const own = (q: EventQuery): FleetEvent[] =>
    s.pendingEvents
      .map((p) => p.event)
      .filter((e) => (!q.agentId || e.agentId === q.agentId) && (!q.runId || e.runId === q.runId) && (!q.subjectId || e.subjectId === q.subjectId)
        && (!q.types || q.types.length === 0 || q.types.includes(e.type)));
  return {
    // Buffered until commit (see commit-log.ts): seq and hashes are assigned by the sealer after commit.
    append: async <T extends EventType>(e: NewEvent<T>, now: number): Promise<FleetEvent<T>> => {
      if (!s.writing) throw new Error('events are appended in write transactions only');
      const payload = e.payload;
      const event = {
        seq: 0,
        at: now,
        actor: e.actor,
        type: e.type,
        agentId: e.agentId ?? null,
        runId: e.runId ?? null,
        subjectId: e.subjectId ?? null,
        payload,
        prevHash: '',
        hash: '',
      } as FleetEvent<T>;
      s.pendingEvents.push({ event: event as FleetEvent, payloadJson: JSON.stringify(payload) });
      return event;
    },
    list: async (q: EventQuery) => {
      const p = new Params();
      const where: string[] = [];
      if (q.afterSeq !== undefined) where.push(`seq > ${p.add(q.afterSeq)}`);
      if (q.agentId) where.push(`agent_id = ${p.add(q.agentId)}`);
      if (q.runId) where.push(`run_id = ${p.add(q.runId)}`);
      if (q.subjectId) where.push(`subject_id = ${p.add(q.subjectId)}`);
      if (q.types && q.types.length > 0) where.push(`type = ANY(${p.add(q.types)}::text[])`);
      const text = `SELECT ${RAW_COLUMNS} FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY seq ${q.newestFirst ? 'DESC' : 'ASC'} LIMIT ${p.add(q.limit)}`;
      const logged = (await s.rows<RawEventRow>(sql(text), p.values)).map(toEvent);
      const mine = own(q);
      if (mine.length === 0) return logged;
      // own events come after every sealed one (they are sealed after this commit)
      return (q.newestFirst ? [...mine.reverse(), ...logged] : [...logged, ...mine]).slice(0, q.limit);
    },
    lastSeq: async () => {
      return (await s.one<{ seq: number }>(LAST_SEQ))!.seq;
    },
    listRaw: async (afterSeq, limit) => {
      return s.rows<RawEventRow>(PAGE, [afterSeq, limit]);
    },
    count: async () => {
      return (await s.one<{ n: number }>(COUNT))!.n;
    },
  };
}
