import type { ClaimKind } from '../../../domain/claim.js';
import type { CandidateQuery, ClaimFilter, ClaimRepo, ClaimUpdate, NewClaimRow } from '../../port/claims.js';
import { toClaim, type ClaimRow } from '../../rows/claims.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';
import { Params } from './params.js';

const COLUMNS = `id, workspace, kind, pattern, prefix, mode, agent_id, run_id, reason, ttl_seconds, created_at,
  expires_at, state, released_at, release_reason, worktree, branch, host`;

/**
 * Whether two claims conflict is decided in the application (the exact glob intersection), so the
 * database cannot enforce it with a constraint. Two replicas deciding overlapping requests at once
 * would each see no conflict and both grant. So in a write transaction the first claims statement
 * about a workspace is preceded by a transaction-scoped advisory lock keyed by that workspace:
 * deciders of one workspace queue behind each other until commit, and because the lock is taken in
 * its own statement, the candidate query that follows (a new READ COMMITTED snapshot) sees every
 * claim committed before the lock was granted. Other workspaces are not delayed. A hash collision
 * between two workspaces only serializes them too.
 */
const LOCK_WORKSPACE = sql(`SELECT pg_advisory_xact_lock(hashtextextended('fleetdeck.claims:' || $1, 0))`);

const INSERT = sql(`INSERT INTO claims (id, workspace, kind, pattern, prefix, mode, agent_id, run_id, reason,
    ttl_seconds, created_at, expires_at, worktree, branch, host)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::integer, $11::bigint, $11::bigint + $10::integer * 1000::bigint, $12, $13, $14)
  RETURNING ${COLUMNS}`);
const GET = sql(`SELECT ${COLUMNS} FROM claims WHERE id = $1`);
const FILTERS = `AND expires_at > $3 AND (NOT $4 OR mode = 'exclusive') AND ($5::text IS NULL OR agent_id <> $5)`;
// Candidates through claims_candidates: ancestor prefixes (exact lookups), then keys that start with
// the new prefix (one range scan; prefix is COLLATE "C" so the range compares code points).
const BY_ANCESTORS = sql(`SELECT ${COLUMNS} FROM claims
  WHERE state = 'active' AND workspace = $1 AND kind = $2 AND prefix = ANY($6::text[]) ${FILTERS}`);
const BY_RANGE = sql(`SELECT ${COLUMNS} FROM claims
  WHERE state = 'active' AND workspace = $1 AND kind = $2 AND prefix > $6 AND prefix < $7 ${FILTERS}`);
const BY_RANGE_ALL = sql(`SELECT ${COLUMNS} FROM claims
  WHERE state = 'active' AND workspace = $1 AND kind = $2 AND prefix > '' ${FILTERS}`);
const AT_PREFIXES = sql(`SELECT ${COLUMNS} FROM claims
  WHERE state = 'active' AND workspace = $1 AND kind = $2 AND prefix = ANY($3::text[]) AND expires_at > $4`);
const FIND_OWN = sql(`SELECT ${COLUMNS} FROM claims
  WHERE state = 'active' AND agent_id = $1 AND workspace = $2 AND kind = $3 AND pattern = $4`);
const UPDATE = sql(`UPDATE claims SET mode = $2, ttl_seconds = $3, expires_at = greatest(expires_at, $4),
    run_id = coalesce($5, run_id), reason = coalesce($6, reason)
  WHERE id = $1 AND state = 'active' RETURNING ${COLUMNS}`);
const END = sql(`UPDATE claims SET state = $2, released_at = $4, release_reason = $3
  WHERE id = $1 AND state = 'active' RETURNING ${COLUMNS}`);
const DUE = sql(`SELECT ${COLUMNS} FROM claims WHERE state = 'active' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`);
const DUE_LOCKED = sql(`SELECT ${COLUMNS} FROM claims WHERE state = 'active' AND expires_at <= $1
  ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`);
const NEXT_EXPIRY = sql(`SELECT min(expires_at) AS at FROM claims WHERE state = 'active'`);
const RENEW = sql(`UPDATE claims SET expires_at = greatest(expires_at, $2 + ttl_seconds * 1000::bigint)
  WHERE state = 'active' AND agent_id = $1 AND expires_at > $2 RETURNING id`);
const TRANSFER = sql(`UPDATE claims SET agent_id = $2, expires_at = greatest(expires_at, $3 + ttl_seconds * 1000::bigint)
  WHERE state = 'active' AND run_id = $1 RETURNING ${COLUMNS}`);

const PATH_WORKSPACES = sql(`SELECT DISTINCT workspace FROM claims WHERE state = 'active' AND workspace LIKE '/%' LIMIT $1`);
const MOVE_WORKSPACE = sql(`UPDATE claims SET workspace = $2 WHERE state = 'active' AND workspace = $1 RETURNING id`);

export function pgClaimRepo(s: PgSession): ClaimRepo {
  const many = async (st: typeof GET, values: unknown[]) => (await s.rows<ClaimRow>(st, values)).map(toClaim);

  async function lockWorkspace(workspace: string): Promise<void> {
    if (!s.writing || s.lockedWorkspaces.has(workspace)) return;
    await s.rows(LOCK_WORKSPACE, [workspace]);
    s.lockedWorkspaces.add(workspace);
  }

  const where = (f: Omit<ClaimFilter, 'limit'>, p: Params) => {
    const parts = [`state = 'active'`];
    if (f.workspace !== undefined) parts.push(`workspace = ${p.add(f.workspace)}`);
    if (f.agentId !== undefined) parts.push(`agent_id = ${p.add(f.agentId)}`);
    if (f.runId !== undefined) parts.push(`run_id = ${p.add(f.runId)}`);
    if (f.kind !== undefined) parts.push(`kind = ${p.add(f.kind)}`);
    return parts.join(' AND ');
  };

  return {
    insert: async (r: NewClaimRow) => {
      await lockWorkspace(r.workspace);
      return toClaim(
        (await s.one<ClaimRow>(INSERT, [r.id, r.workspace, r.kind, r.pattern, r.prefix, r.mode, r.agentId, r.runId, r.reason, r.ttlSeconds, r.now, r.location.worktree, r.location.branch, r.location.host]))!,
      );
    },
    get: async (id) => (await many(GET, [id]))[0] ?? null,
    candidates: async (q: CandidateQuery) => {
      await lockWorkspace(q.workspace);
      const base = [q.workspace, q.kind, q.now, q.exclusiveOnly, q.excludeAgentId];
      const below = await many(BY_ANCESTORS, [...base, q.ancestors]);
      const above = q.rangeEnd === null ? await many(BY_RANGE_ALL, base) : await many(BY_RANGE, [...base, q.prefix, q.rangeEnd]);
      return [...below, ...above];
    },
    atPrefixes: async (workspace: string, kind: ClaimKind, prefixes: string[], now: number) => {
      await lockWorkspace(workspace);
      return many(AT_PREFIXES, [workspace, kind, prefixes, now]);
    },
    findOwn: async (agentId, workspace, kind, pattern) => {
      await lockWorkspace(workspace);
      return (await many(FIND_OWN, [agentId, workspace, kind, pattern]))[0] ?? null;
    },
    update: async (id, u: ClaimUpdate) => toClaim((await s.one<ClaimRow>(UPDATE, [id, u.mode, u.ttlSeconds, u.expiresAt, u.runId, u.reason]))!),
    end: async (id, state, reason, now) => (await many(END, [id, state, reason, now]))[0] ?? null,
    listActive: (f: ClaimFilter) => {
      const p = new Params();
      const text = `SELECT ${COLUMNS} FROM claims WHERE ${where(f, p)} ORDER BY created_at, seq LIMIT ${p.add(f.limit)}`;
      return many(sql(text), p.values);
    },
    countActive: async (f) => {
      const p = new Params();
      return (await s.one<{ n: number }>(sql(`SELECT count(*) AS n FROM claims WHERE ${where(f, p)}`), p.values))!.n;
    },
    listDue: (now, limit) => many(s.writing ? DUE_LOCKED : DUE, [now, limit]),
    nextExpiry: async () => (await s.one<{ at: number | null }>(NEXT_EXPIRY))?.at ?? null,
    renewAgent: async (agentId, now) => (await s.rows<{ id: string }>(RENEW, [agentId, now])).map((r) => r.id),
    transferRun: (runId, toAgentId, now) => many(TRANSFER, [runId, toAgentId, now]),
    activePathWorkspaces: async (limit) => (await s.rows<{ workspace: string }>(PATH_WORKSPACES, [limit])).map((r) => r.workspace),
    moveWorkspace: async (from, to) => {
      // deciders of either workspace wait: a claim decided against `to` must see the moved claims
      for (const w of [from, to].sort()) await lockWorkspace(w);
      return (await s.rows<{ id: string }>(MOVE_WORKSPACE, [from, to])).map((r) => r.id);
    },
  };
}
