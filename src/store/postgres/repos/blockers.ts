import type { BlockerListFilter, BlockerRepo, BlockerResolution, NewBlockerRow } from '../../port/blockers.js';
import { toBlocker, type BlockerRow } from '../../rows/blockers.js';
import { toJson } from '../../rows/json.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';
import { Params } from './params.js';

const COLUMNS = `id, run_id, agent_id, raised_by, origin, kind, question, options, context, evidence, policy_rule,
  policy_subject, state, decision, resolution, chosen_option, reassigned_to, resolved_by, resolved_at, created_at`;
const B_COLUMNS = COLUMNS.split(',').map((c) => `b.${c.trim()}`).join(', ');

const INSERT = sql(`INSERT INTO blockers (id, run_id, agent_id, raised_by, origin, kind, question, options, context,
    evidence, policy_rule, policy_subject, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${COLUMNS}`);
const GET = sql(`SELECT ${COLUMNS} FROM blockers WHERE id = $1`);
// Locked in a write transaction, like handoffs: two operators deciding at once see each other's decision.
const GET_LOCKED = sql(`SELECT ${COLUMNS} FROM blockers WHERE id = $1 FOR NO KEY UPDATE`);
const BY_RUN = sql(`SELECT ${COLUMNS} FROM blockers WHERE run_id = $1 ORDER BY created_at, seq`);
const OPEN_FOR_RUN = sql(`SELECT ${COLUMNS} FROM blockers WHERE run_id = $1 AND state = 'open'`);
// Conditional on state = 'open': of two operators on two replicas, exactly one decides.
const RESOLVE = sql(`UPDATE blockers SET state = 'resolved', decision = $2, resolution = $3, chosen_option = $4,
    reassigned_to = $5, resolved_by = $6, resolved_at = $7
  WHERE id = $1 AND state = 'open' RETURNING ${COLUMNS}`);
const OBSOLETE = sql(`UPDATE blockers SET state = 'obsolete', resolution = $3, resolved_by = $2, resolved_at = $4
  WHERE id = $1 AND state = 'open' RETURNING ${COLUMNS}`);
const ORPHANED_WHERE = `b.state = 'open' AND (r.id IS NULL OR r.state <> 'blocked' OR r.owner_id IS DISTINCT FROM b.agent_id)`;
const ORPHANED = sql(`SELECT ${B_COLUMNS} FROM blockers b LEFT JOIN runs r ON r.id = b.run_id
  WHERE ${ORPHANED_WHERE} ORDER BY b.created_at LIMIT $1`);
// The sweep's variant locks the blockers it will close and skips those another replica is closing.
const ORPHANED_LOCKED = sql(`SELECT ${B_COLUMNS} FROM blockers b LEFT JOIN runs r ON r.id = b.run_id
  WHERE ${ORPHANED_WHERE} ORDER BY b.created_at LIMIT $1 FOR UPDATE OF b SKIP LOCKED`);
const APPROVED = sql(`SELECT 1 AS one FROM blockers WHERE run_id = $1 AND policy_rule = $2 AND decision = 'approve' LIMIT 1`);
const INSERT_GRANT = sql(`INSERT INTO policy_grants (agent_id, rule, subject, blocker_id, granted_at)
  VALUES ($1, $2, $3, $4, $5) ON CONFLICT (agent_id, rule, subject) DO NOTHING`);
const HAS_GRANT = sql('SELECT 1 AS one FROM policy_grants WHERE agent_id = $1 AND rule = $2 AND subject = $3');
const OPEN_SUMMARY = sql(`SELECT count(*) AS count, min(created_at) AS "oldestAt" FROM blockers WHERE state = 'open'`);
const IDS = sql('SELECT id FROM blockers WHERE starts_with(id, $1) ORDER BY created_at DESC, seq DESC LIMIT $2');

export function pgBlockerRepo(s: PgSession): BlockerRepo {
  const one = async (st: typeof GET, values: unknown[]) => {
    const row = await s.one<BlockerRow>(st, values);
    return row ? toBlocker(row) : null;
  };
  const many = async (st: typeof GET, values: unknown[]) => (await s.rows<BlockerRow>(st, values)).map(toBlocker);
  return {
    insert: async (r: NewBlockerRow) =>
      toBlocker(
        (await s.one<BlockerRow>(INSERT, [
          r.id, r.runId, r.agentId, r.raisedBy, r.origin, r.kind, r.question, toJson(r.options), r.context,
          toJson(r.evidence), r.policyRule, r.policySubject === null ? null : toJson(r.policySubject), r.now,
        ]))!,
      ),
    get: (id) => one(s.writing ? GET_LOCKED : GET, [id]),
    listByRun: (runId) => many(BY_RUN, [runId]),
    openForRun: (runId) => one(OPEN_FOR_RUN, [runId]),
    resolve: (id, r: BlockerResolution, now) => one(RESOLVE, [id, r.decision, r.resolution, r.chosenOption, r.reassignedTo, r.resolvedBy, now]),
    markObsolete: (id, by, reason, now) => one(OBSOLETE, [id, by, reason, now]),
    list: (f: BlockerListFilter) => {
      const p = new Params();
      const where: string[] = [];
      if (f.states && f.states.length > 0) where.push(`state = ANY(${p.add(f.states)}::text[])`);
      if (f.kinds && f.kinds.length > 0) where.push(`kind = ANY(${p.add(f.kinds)}::text[])`);
      if (f.runId) where.push(`run_id = ${p.add(f.runId)}`);
      if (f.agentId) where.push(`agent_id = ${p.add(f.agentId)}`);
      const text = `SELECT ${COLUMNS} FROM blockers ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY state = 'open' DESC, CASE WHEN state = 'open' THEN created_at ELSE -created_at END, seq LIMIT ${p.add(f.limit)}`;
      return many(sql(text), p.values);
    },
    listOrphaned: (limit) => many(s.writing ? ORPHANED_LOCKED : ORPHANED, [limit]),
    hasApprovedPolicyBlocker: async (runId, rule) => (await s.one(APPROVED, [runId, rule])) !== null,
    insertGrant: async (agentId, rule, subject, blockerId, now) => s.defer(INSERT_GRANT, [agentId, rule, subject, blockerId, now]),
    hasGrant: async (agentId, rule, subject) => (await s.one(HAS_GRANT, [agentId, rule, subject])) !== null,
    listIds: async (prefix, limit) => (await s.rows<{ id: string }>(IDS, [prefix, limit])).map((r) => r.id),
    openSummary: async () => (await s.one<{ count: number; oldestAt: number | null }>(OPEN_SUMMARY))!,
  };
}
