import type { Blocker } from '../../../domain/blocker.js';
import type { BlockerListFilter, BlockerRepo, BlockerResolution, NewBlockerRow } from '../../port/blockers.js';
import { toBlocker, type BlockerRow } from '../../rows/blockers.js';
import type { Db } from '../open.js';
import { toJson } from '../../rows/json.js';

const COLUMNS = `id, run_id, agent_id, raised_by, origin, kind, question, options, context, evidence, policy_rule,
  policy_subject, state, decision, resolution, chosen_option, reassigned_to, resolved_by, resolved_at, created_at`;

const prefixed = (alias: string): string =>
  COLUMNS.split(',')
    .map((c) => `${alias}.${c.trim()}`)
    .join(', ');

export function sqliteBlockerRepo(db: Db): BlockerRepo {
  const insert = db.prepare(`INSERT INTO blockers (id, run_id, agent_id, raised_by, origin, kind, question, options, context,
      evidence, policy_rule, policy_subject, created_at)
    VALUES (@id, @runId, @agentId, @raisedBy, @origin, @kind, @question, @options, @context,
      @evidence, @policyRule, @policySubject, @now)
    RETURNING ${COLUMNS}`);
  const get = db.prepare(`SELECT ${COLUMNS} FROM blockers WHERE id = ?`);
  const byRun = db.prepare(`SELECT ${COLUMNS} FROM blockers WHERE run_id = ? ORDER BY created_at, rowid`);
  const openForRun = db.prepare(`SELECT ${COLUMNS} FROM blockers WHERE run_id = ? AND state = 'open'`);
  const resolve = db.prepare(`UPDATE blockers SET state = 'resolved', decision = @decision, resolution = @resolution,
      chosen_option = @chosenOption, reassigned_to = @reassignedTo, resolved_by = @resolvedBy, resolved_at = @now
    WHERE id = @id AND state = 'open' RETURNING ${COLUMNS}`);
  const obsolete = db.prepare(`UPDATE blockers SET state = 'obsolete', resolution = @reason, resolved_by = @by, resolved_at = @now
    WHERE id = @id AND state = 'open' RETURNING ${COLUMNS}`);
  // An open blocker is valid only while its run is blocked under the agent it concerns.
  const orphaned = db.prepare(`SELECT ${prefixed('b')} FROM blockers b LEFT JOIN runs r ON r.id = b.run_id
    WHERE b.state = 'open' AND (r.id IS NULL OR r.state <> 'blocked' OR r.owner_id IS NOT b.agent_id)
    ORDER BY b.created_at LIMIT ?`);
  const approved = db.prepare(`SELECT 1 FROM blockers WHERE run_id = ? AND policy_rule = ? AND decision = 'approve' LIMIT 1`);
  const insertGrant = db.prepare(`INSERT INTO policy_grants (agent_id, rule, subject, blocker_id, granted_at)
    VALUES (?, ?, ?, ?, ?) ON CONFLICT (agent_id, rule, subject) DO NOTHING`);
  const hasGrant = db.prepare('SELECT 1 FROM policy_grants WHERE agent_id = ? AND rule = ? AND subject = ?');
  const openSummary = db.prepare(`SELECT count(*) AS count, min(created_at) AS oldestAt FROM blockers WHERE state = 'open'`);
  const ids = db.prepare(`SELECT id FROM blockers WHERE id >= ? AND id < ? || char(1114111) ORDER BY created_at DESC LIMIT ?`).pluck();
  const one = (row: unknown): Blocker | null => (row ? toBlocker(row as BlockerRow) : null);

  return {
    insert: async (row: NewBlockerRow) =>
      toBlocker(
        insert.get({
          ...row,
          options: toJson(row.options),
          evidence: toJson(row.evidence),
          policySubject: row.policySubject === null ? null : toJson(row.policySubject),
        }) as BlockerRow,
      ),
    get: async (id) => one(get.get(id)),
    listByRun: async (runId) => (byRun.all(runId) as BlockerRow[]).map(toBlocker),
    openForRun: async (runId) => one(openForRun.get(runId)),
    resolve: async (id, r: BlockerResolution, now) => one(resolve.get({ id, ...r, now })),
    markObsolete: async (id, by, reason, now) => one(obsolete.get({ id, by, reason, now })),
    async list(f: BlockerListFilter) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.states && f.states.length > 0) {
        where.push(`state IN (${f.states.map(() => '?').join(',')})`);
        params.push(...f.states);
      }
      if (f.kinds && f.kinds.length > 0) {
        where.push(`kind IN (${f.kinds.map(() => '?').join(',')})`);
        params.push(...f.kinds);
      }
      if (f.runId) {
        where.push('run_id = ?');
        params.push(f.runId);
      }
      if (f.agentId) {
        where.push('agent_id = ?');
        params.push(f.agentId);
      }
      const sql = `SELECT ${COLUMNS} FROM blockers ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY state = 'open' DESC, CASE WHEN state = 'open' THEN created_at ELSE -created_at END, rowid LIMIT ?`;
      return (db.prepare(sql).all(...params, f.limit) as BlockerRow[]).map(toBlocker);
    },
    listOrphaned: async (limit) => (orphaned.all(limit) as BlockerRow[]).map(toBlocker),
    hasApprovedPolicyBlocker: async (runId, rule) => approved.get(runId, rule) !== undefined,
    insertGrant: async (agentId, rule, subject, blockerId, now) => void insertGrant.run(agentId, rule, subject, blockerId, now),
    hasGrant: async (agentId, rule, subject) => hasGrant.get(agentId, rule, subject) !== undefined,
    listIds: async (prefix, limit) => ids.all(prefix, prefix, limit) as string[],
    openSummary: async () => openSummary.get() as { count: number; oldestAt: number | null },
  };
}
