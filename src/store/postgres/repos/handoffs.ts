import type { HandoffListFilter, HandoffRepo, NewHandoffRow } from '../../port/handoffs.js';
import { toHandoff, type HandoffRow } from '../../rows/handoffs.js';
import { toJson } from '../../rows/json.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';
import { Params } from './params.js';

const COLUMNS = `id, run_id, from_agent_id, to_agent_id, to_role, summary, next_action, changed_files, evidence,
  failed_attempts, risks, open_questions, state, offered_epoch, created_at, decided_at, decided_by, reason`;
const H_COLUMNS = COLUMNS.split(',').map((c) => `h.${c.trim()}`).join(', ');

const INSERT = sql(`INSERT INTO handoffs (id, run_id, from_agent_id, to_agent_id, to_role, summary, next_action,
    changed_files, evidence, failed_attempts, risks, open_questions, offered_epoch, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING ${COLUMNS}`);
const GET = sql(`SELECT ${COLUMNS} FROM handoffs WHERE id = $1`);
// In a write transaction a handoff read locks the row: of two replicas accepting one handoff, the
// second waits for the first and then reads the handoff as the first left it (accepted by whom).
const GET_LOCKED = sql(`SELECT ${COLUMNS} FROM handoffs WHERE id = $1 FOR NO KEY UPDATE`);
const BY_RUN = sql(`SELECT ${COLUMNS} FROM handoffs WHERE run_id = $1 ORDER BY created_at, seq`);
const OPEN_FOR_RUN = sql(`SELECT ${COLUMNS} FROM handoffs WHERE run_id = $1 AND state = 'offered'`);
// Conditional on state = 'offered': of two takers on two replicas, the second waits for the first
// to commit, re-reads the row, no longer matches, and gets null.
const CLOSE = sql(`UPDATE handoffs SET state = $2, decided_at = $5, decided_by = $3, reason = $4
  WHERE id = $1 AND state = 'offered' RETURNING ${COLUMNS}`);
const OPEN_FROM = sql(`SELECT ${COLUMNS} FROM handoffs WHERE from_agent_id = $1 AND state = 'offered' ORDER BY created_at, seq`);
const ORPHANED_WHERE = `h.state = 'offered' AND (r.id IS NULL OR r.state <> 'handoff_pending'
  OR r.owner_id IS DISTINCT FROM h.from_agent_id OR r.lease_epoch <> h.offered_epoch)`;
const ORPHANED = sql(`SELECT ${H_COLUMNS} FROM handoffs h LEFT JOIN runs r ON r.id = h.run_id
  WHERE ${ORPHANED_WHERE} ORDER BY h.created_at LIMIT $1`);
const ORPHANED_LOCKED = sql(`SELECT ${H_COLUMNS} FROM handoffs h LEFT JOIN runs r ON r.id = h.run_id
  WHERE ${ORPHANED_WHERE} ORDER BY h.created_at LIMIT $1 FOR UPDATE OF h SKIP LOCKED`);
const OPEN_SUMMARY = sql(`SELECT count(*) AS count, min(created_at) AS "oldestAt" FROM handoffs WHERE state = 'offered'`);
const IDS = sql('SELECT id FROM handoffs WHERE starts_with(id, $1) ORDER BY created_at DESC, seq DESC LIMIT $2');

export function pgHandoffRepo(s: PgSession): HandoffRepo {
  const many = async (st: typeof GET, values: unknown[]) => (await s.rows<HandoffRow>(st, values)).map(toHandoff);
  const one = async (st: typeof GET, values: unknown[]) => (await many(st, values))[0] ?? null;
  return {
    insert: async (r: NewHandoffRow) =>
      toHandoff(
        (await s.one<HandoffRow>(INSERT, [
          r.id, r.runId, r.fromAgentId, r.toAgentId, r.toRole, r.summary, r.nextAction, toJson(r.changedFiles),
          toJson(r.evidence), toJson(r.failedAttempts), toJson(r.risks), toJson(r.openQuestions), r.offeredEpoch, r.now,
        ]))!,
      ),
    get: (id) => one(s.writing ? GET_LOCKED : GET, [id]),
    listByRun: (runId) => many(BY_RUN, [runId]),
    openForRun: (runId) => one(OPEN_FOR_RUN, [runId]),
    close: (id, state, by, reason, now) => one(CLOSE, [id, state, by, reason, now]),
    list: (f: HandoffListFilter) => {
      const p = new Params();
      const where: string[] = [];
      if (f.states && f.states.length > 0) where.push(`state = ANY(${p.add(f.states)}::text[])`);
      if (f.runId) where.push(`run_id = ${p.add(f.runId)}`);
      if (f.fromAgentId) where.push(`from_agent_id = ${p.add(f.fromAgentId)}`);
      const targets: string[] = [];
      if (f.toAgentId) targets.push(`to_agent_id = ${p.add(f.toAgentId)}`);
      if (f.toRole) targets.push(`to_role = ${p.add(f.toRole)}`);
      if (targets.length > 0) where.push(`(${targets.join(' OR ')})`);
      const text = `SELECT ${COLUMNS} FROM handoffs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at ${f.oldestFirst ? 'ASC' : 'DESC'}, seq LIMIT ${p.add(f.limit)}`;
      return many(sql(text), p.values);
    },
    listOpenFrom: (agentId) => many(OPEN_FROM, [agentId]),
    listOrphaned: (limit) => many(s.writing ? ORPHANED_LOCKED : ORPHANED, [limit]),
    listIds: async (prefix, limit) => (await s.rows<{ id: string }>(IDS, [prefix, limit])).map((r) => r.id),
    openSummary: async () => (await s.one<{ count: number; oldestAt: number | null }>(OPEN_SUMMARY))!,
  };
}
