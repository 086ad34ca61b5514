import type { EventListQuery, ListingRepo, RunListQuery } from '../../port/listings.js';
import type { RawEventRow } from '../../port/events.js';
import { toEvent } from '../../rows/events.js';
import { RUN_LIST_COLUMNS, toRun, type RunRow } from '../../rows/runs.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';
import { Params } from './params.js';

/** The family expression exactly as index events_by_family has it. */
const FAMILY = "split_part(type, '.', 1)";

export function pgListingRepo(s: PgSession): ListingRepo {
  function eventWhere(q: EventListQuery, p: Params): string[] {
    const where: string[] = [];
    if (q.family) where.push(`${FAMILY} = ${p.add(q.family)}`);
    if (q.type) where.push(`type = ${p.add(q.type)}`);
    if (q.agentId) where.push(`agent_id = ${p.add(q.agentId)}`);
    if (q.runId) where.push(`run_id = ${p.add(q.runId)}`);
    if (q.hideHeartbeats) where.push("type <> 'agent.heartbeat'");
    return where;
  }

  function runWhere(q: RunListQuery, p: Params): string[] {
    const where = [`state = ${p.add(q.state)}`];
    if (q.role !== undefined) where.push(`to_role = ${p.add(q.role)}`);
    if (q.type !== undefined) where.push(`type = ${p.add(q.type)}`);
    if (q.agentId !== undefined) {
      const a = p.add(q.agentId);
      where.push(`(owner_id = ${a} OR last_owner_id = ${a} OR to_agent = ${a})`);
    }
    if (q.text !== undefined) {
      const t = p.add(q.text.toLowerCase());
      where.push(`(strpos(lower(id), ${t}) > 0 OR strpos(lower(title), ${t}) > 0 OR strpos(lower(instructions), ${t}) > 0)`);
    }
    if (q.neverTried) where.push('attempts = 0');
    return where;
  }

  return {
    async events(q, beforeSeq, limit) {
      const p = new Params();
      const where = eventWhere(q, p);
      if (beforeSeq !== null) where.push(`seq < ${p.add(beforeSeq)}`);
      const text = `SELECT seq, at, actor, type, agent_id, run_id, subject_id, payload, prev_hash, hash FROM events
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${p.add(limit)}`;
      return (await s.rows<RawEventRow>(sql(text), p.values)).map((r) => toEvent({ ...r, seq: Number(r.seq), at: Number(r.at) }));
    },
    async countEvents(q) {
      const p = new Params();
      const where = eventWhere(q, p);
      const row = await s.one<{ n: number }>(sql(`SELECT count(*)::int AS n FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`), p.values);
      return row?.n ?? 0;
    },
    async runs(q, order, cursor, limit) {
      const p = new Params();
      const where = runWhere(q, p);
      if (cursor?.order === 'newest') {
        const cc = p.add(cursor.createdAt);
        where.push(`(created_at < ${cc} OR (created_at = ${cc} AND id < ${p.add(cursor.id)}))`);
      } else if (cursor?.order === 'take') {
        const cp = p.add(cursor.priority);
        const cc = p.add(cursor.createdAt);
        where.push(`(priority < ${cp} OR (priority = ${cp} AND (created_at > ${cc} OR (created_at = ${cc} AND seq > ${p.add(cursor.seq)}))))`);
      }
      const orderBy = order === 'take' ? 'priority DESC, created_at, seq' : 'created_at DESC, id DESC';
      const text = `SELECT ${RUN_LIST_COLUMNS}, seq FROM runs WHERE ${where.join(' AND ')} ORDER BY ${orderBy} LIMIT ${p.add(limit)}`;
      return (await s.rows<RunRow & { seq: string }>(sql(text), p.values)).map((r) => ({ run: toRun(r), seq: Number(r.seq) }));
    },
    async countRuns(q) {
      const p = new Params();
      const where = runWhere(q, p);
      const row = await s.one<{ n: number }>(sql(`SELECT count(*)::int AS n FROM runs WHERE ${where.join(' AND ')}`), p.values);
      return row?.n ?? 0;
    },
  };
}
