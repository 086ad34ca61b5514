import type { HandoffListFilter, HandoffRepo, NewHandoffRow } from '../../port/handoffs.js';
import { toHandoff, type HandoffRow } from '../../rows/handoffs.js';
import type { Db } from '../open.js';
import { toJson } from '../../rows/json.js';

const COLUMNS = `id, run_id, from_agent_id, to_agent_id, to_role, summary, next_action, changed_files, evidence,
  failed_attempts, risks, open_questions, state, offered_epoch, created_at, decided_at, decided_by, reason`;

const prefixed = (alias: string): string =>
  COLUMNS.split(',')
    .map((c) => `${alias}.${c.trim()}`)
    .join(', ');

export function sqliteHandoffRepo(db: Db): HandoffRepo {
  const insert = db.prepare(`INSERT INTO handoffs (id, run_id, from_agent_id, to_agent_id, to_role, summary, next_action,
      changed_files, evidence, failed_attempts, risks, open_questions, offered_epoch, created_at)
    VALUES (@id, @runId, @fromAgentId, @toAgentId, @toRole, @summary, @nextAction,
      @changedFiles, @evidence, @failedAttempts, @risks, @openQuestions, @offeredEpoch, @now)
    RETURNING ${COLUMNS}`);
  const get = db.prepare(`SELECT ${COLUMNS} FROM handoffs WHERE id = ?`);
  const byRun = db.prepare(`SELECT ${COLUMNS} FROM handoffs WHERE run_id = ? ORDER BY created_at, rowid`);
  const openForRun = db.prepare(`SELECT ${COLUMNS} FROM handoffs WHERE run_id = ? AND state = 'offered'`);
  const close = db.prepare(`UPDATE handoffs SET state = @state, decided_at = @now, decided_by = @by, reason = @reason
    WHERE id = @id AND state = 'offered' RETURNING ${COLUMNS}`);
  const openFrom = db.prepare(`SELECT ${COLUMNS} FROM handoffs WHERE from_agent_id = ? AND state = 'offered' ORDER BY created_at`);
  // An offered handoff is valid only while its run waits for it: handoff_pending, still owned by
  // the offerer, at the epoch it was offered under.
  const orphaned = db.prepare(`SELECT ${prefixed('h')} FROM handoffs h
    LEFT JOIN runs r ON r.id = h.run_id
    WHERE h.state = 'offered'
      AND (r.id IS NULL OR r.state <> 'handoff_pending' OR r.owner_id IS NOT h.from_agent_id OR r.lease_epoch <> h.offered_epoch)
    ORDER BY h.created_at LIMIT ?`);
  const openSummary = db.prepare(`SELECT count(*) AS count, min(created_at) AS oldestAt FROM handoffs WHERE state = 'offered'`);
  const ids = db.prepare(`SELECT id FROM handoffs WHERE id >= ? AND id < ? || char(1114111) ORDER BY created_at DESC LIMIT ?`).pluck();
  // one step on the partial index of open handoffs: most calls (every heartbeat, whoami, take_task
  // asks what waits for the agent) find none, and then skip the filtered, ordered list
  const anyOffered = db.prepare(`SELECT 1 FROM handoffs INDEXED BY handoffs_open_by_age WHERE state = 'offered' LIMIT 1`).pluck();

  // list() builds its SQL from the filter; each distinct shape is prepared once
  const listStatements = new Map<string, ReturnType<Db['prepare']>>();
  return {
    insert: async (row: NewHandoffRow) =>
      toHandoff(
        insert.get({
          ...row,
          changedFiles: toJson(row.changedFiles),
          evidence: toJson(row.evidence),
          failedAttempts: toJson(row.failedAttempts),
          risks: toJson(row.risks),
          openQuestions: toJson(row.openQuestions),
        }) as HandoffRow,
      ),
    get: async (id) => {
      const row = get.get(id) as HandoffRow | undefined;
      return row ? toHandoff(row) : null;
    },
    listByRun: async (runId) => (byRun.all(runId) as HandoffRow[]).map(toHandoff),
    openForRun: async (runId) => {
      const row = openForRun.get(runId) as HandoffRow | undefined;
      return row ? toHandoff(row) : null;
    },
    close: async (id, state, by, reason, now) => {
      const row = close.get({ id, state, by, reason, now }) as HandoffRow | undefined;
      return row ? toHandoff(row) : null;
    },
    async list(f: HandoffListFilter) {
      if (f.states?.length === 1 && f.states[0] === 'offered' && anyOffered.get() === undefined) return [];
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.states && f.states.length > 0) {
        where.push(`state IN (${f.states.map(() => '?').join(',')})`);
        params.push(...f.states);
      }
      if (f.runId) {
        where.push('run_id = ?');
        params.push(f.runId);
      }
      if (f.fromAgentId) {
        where.push('from_agent_id = ?');
        params.push(f.fromAgentId);
      }
      const targets: string[] = [];
      if (f.toAgentId) {
        targets.push('to_agent_id = ?');
        params.push(f.toAgentId);
      }
      if (f.toRole) {
        targets.push('to_role = ?');
        params.push(f.toRole);
      }
      if (targets.length > 0) where.push(`(${targets.join(' OR ')})`);
      const sql = `SELECT ${COLUMNS} FROM handoffs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at ${f.oldestFirst ? 'ASC' : 'DESC'}, rowid LIMIT ?`;
      let stmt = listStatements.get(sql);
      if (!stmt) listStatements.set(sql, (stmt = db.prepare(sql)));
      return (stmt.all([...params, f.limit]) as HandoffRow[]).map(toHandoff);
    },
    listOpenFrom: async (agentId) => (openFrom.all(agentId) as HandoffRow[]).map(toHandoff),
    listOrphaned: async (limit) => (orphaned.all(limit) as HandoffRow[]).map(toHandoff),
    listIds: async (prefix, limit) => ids.all(prefix, prefix, limit) as string[],
    openSummary: async () => openSummary.get() as { count: number; oldestAt: number | null },
  };
}
