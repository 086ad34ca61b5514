import type { EventListQuery, ListingRepo, RunListQuery } from '../../port/listings.js';
import type { RawEventRow } from '../../port/events.js';
import { toEvent } from '../../rows/events.js';
import { RUN_LIST_COLUMNS, toRun, type RunRow } from '../../rows/runs.js';
import type { Db } from '../open.js';

/** The family expression exactly as index events_by_family has it, so SQLite uses the index. */
const FAMILY = "substr(type, 1, instr(type, '.') - 1)";

export function sqliteListingRepo(db: Db): ListingRepo {
  const statements = new Map<string, ReturnType<Db['prepare']>>();
  const prepared = (text: string) => {
    let st = statements.get(text);
    if (!st) {
      st = db.prepare(text);
      statements.set(text, st);
    }
    return st;
  };

  function eventWhere(q: EventListQuery, params: unknown[]): string[] {
    const where: string[] = [];
    if (q.family) {
      where.push(`${FAMILY} = ?`);
      params.push(q.family);
    }
    if (q.type) {
      where.push('type = ?');
      params.push(q.type);
    }
    if (q.agentId) {
      where.push('agent_id = ?');
      params.push(q.agentId);
    }
    if (q.runId) {
      where.push('run_id = ?');
      params.push(q.runId);
    }
    if (q.hideHeartbeats) where.push("type <> 'agent.heartbeat'");
    return where;
  }

  function runWhere(q: RunListQuery, params: Record<string, unknown>): string[] {
    const where = ['state = @state'];
    params.state = q.state;
    if (q.role !== undefined) {
      where.push('to_role = @role');
      params.role = q.role;
    }
    if (q.type !== undefined) {
      where.push('type = @type');
      params.type = q.type;
    }
    if (q.agentId !== undefined) {
      where.push('(owner_id = @agent OR last_owner_id = @agent OR to_agent = @agent)');
      params.agent = q.agentId;
    }
    if (q.text !== undefined) {
      where.push("(instr(lower(id), @text) > 0 OR instr(lower(title), @text) > 0 OR instr(lower(instructions), @text) > 0)");
      params.text = q.text.toLowerCase();
    }
    if (q.neverTried) where.push('attempts = 0');
    return where;
  }

  return {
    async events(q, beforeSeq, limit) {
      const params: unknown[] = [];
      const where = eventWhere(q, params);
      if (beforeSeq !== null) {
      where.push('seq < ?');
      params.push(beforeSeq);
    }
      const text = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
      return (prepared(text).all([...params, limit]) as RawEventRow[]).map(toEvent);
    },
    async countEvents(q) {
      const params: unknown[] = [];
      const where = eventWhere(q, params);
      return prepared(`SELECT count(*) AS n FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).pluck().get(params) as number;
    },
    async runs(q, order, cursor, limit) {
      const params: Record<string, unknown> = { limit };
      const where = runWhere(q, params);
      if (cursor?.order === 'newest') {
        where.push('(created_at < @cc OR (created_at = @cc AND id < @ci))');
        Object.assign(params, { cc: cursor.createdAt, ci: cursor.id });
      } else if (cursor?.order === 'take') {
        where.push('(priority < @cp OR (priority = @cp AND (created_at > @cc OR (created_at = @cc AND rowid > @cs))))');
        Object.assign(params, { cp: cursor.priority, cc: cursor.createdAt, cs: cursor.seq });
      }
      const orderBy = order === 'take' ? 'priority DESC, created_at, rowid' : 'created_at DESC, id DESC';
      const text = `SELECT ${RUN_LIST_COLUMNS}, rowid AS seq FROM runs WHERE ${where.join(' AND ')} ORDER BY ${orderBy} LIMIT @limit`;
      return (prepared(text).all(params) as (RunRow & { seq: number })[]).map((r) => ({ run: toRun(r), seq: r.seq }));
    },
    async countRuns(q) {
      const params: Record<string, unknown> = {};
      const where = runWhere(q, params);
      return prepared(`SELECT count(*) FROM runs WHERE ${where.join(' AND ')}`).pluck().get(params) as number;
    },
  };
}
