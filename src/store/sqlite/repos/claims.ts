import type { Claim } from '../../../domain/claim.js';
import type { CandidateQuery, ClaimFilter, ClaimRepo, ClaimUpdate, NewClaimRow } from '../../port/claims.js';
import { toClaim, type ClaimRow } from '../../rows/claims.js';
import type { Db } from '../open.js';

const COLUMNS = `id, workspace, kind, pattern, prefix, mode, agent_id, run_id, reason, ttl_seconds, created_at,
  expires_at, state, released_at, release_reason, worktree, branch, host`;

const toClaims = (rows: unknown[]): Claim[] => (rows as ClaimRow[]).map(toClaim);

export function sqliteClaimRepo(db: Db): ClaimRepo {
  const insert = db.prepare(`INSERT INTO claims (id, workspace, kind, pattern, prefix, mode, agent_id, run_id, reason,
      ttl_seconds, created_at, expires_at, worktree, branch, host)
    VALUES (@id, @workspace, @kind, @pattern, @prefix, @mode, @agentId, @runId, @reason, @ttlSeconds, @now,
      @now + @ttlSeconds * 1000, @worktree, @branch, @host)
    RETURNING ${COLUMNS}`);
  const get = db.prepare(`SELECT ${COLUMNS} FROM claims WHERE id = ?`);

  // Candidates come from two probes of claims_candidates, each restricted to active claims
  // (`state = 'active'` must be written out for SQLite to use the partial index):
  //  1. keys that are ancestors of the new prefix: an IN list of at most depth+1 exact lookups;
  //  2. keys that start with the new prefix: one range scan [prefix, rangeEnd), minus the key
  //     itself, which probe 1 already returned.
  // A claim whose holder's lease ran out is over even before the expiry pass releases it: the
  // holder's next sign of life recovers (releases) it first (services/liveness.ts).
  const filters = `AND expires_at > @now
      AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = claims.agent_id AND a.liveness = 'active' AND a.expires_at <= @now)
      AND (@exclusiveOnly = 0 OR mode = 'exclusive')
      AND (@excludeAgentId IS NULL OR agent_id <> @excludeAgentId)`;
  const byAncestors = db.prepare(`SELECT ${COLUMNS} FROM claims
    WHERE state = 'active' AND workspace = @workspace AND kind = @kind
      AND prefix IN (SELECT value FROM json_each(@ancestors)) ${filters}`);
  const byRange = db.prepare(`SELECT ${COLUMNS} FROM claims
    WHERE state = 'active' AND workspace = @workspace AND kind = @kind
      AND prefix > @prefix AND prefix < @rangeEnd ${filters}`);
  const byRangeAll = db.prepare(`SELECT ${COLUMNS} FROM claims
    WHERE state = 'active' AND workspace = @workspace AND kind = @kind AND prefix > '' ${filters}`);

  const atPrefixes = db.prepare(`SELECT ${COLUMNS} FROM claims
    WHERE state = 'active' AND workspace = @workspace AND kind = @kind
      AND prefix IN (SELECT value FROM json_each(@prefixes)) AND expires_at > @now`);
  const findOwn = db.prepare(`SELECT ${COLUMNS} FROM claims
    WHERE state = 'active' AND agent_id = ? AND workspace = ? AND kind = ? AND pattern = ?`);
  const update = db.prepare(`UPDATE claims SET mode = @mode, ttl_seconds = @ttlSeconds,
      expires_at = max(expires_at, @expiresAt), run_id = coalesce(@runId, run_id), reason = coalesce(@reason, reason)
    WHERE id = @id AND state = 'active'
    RETURNING ${COLUMNS}`);
  const end = db.prepare(`UPDATE claims SET state = @state, released_at = @now, release_reason = @reason
    WHERE id = @id AND state = 'active'
    RETURNING ${COLUMNS}`);
  const due = db.prepare(`SELECT ${COLUMNS} FROM claims WHERE state = 'active' AND expires_at <= ? ORDER BY expires_at LIMIT ?`);
  const nextExpiry = db.prepare(`SELECT min(expires_at) FROM claims WHERE state = 'active'`).pluck();
  const renew = db.prepare(`UPDATE claims SET expires_at = max(expires_at, @now + ttl_seconds * 1000)
    WHERE state = 'active' AND agent_id = @agentId AND expires_at > @now
    RETURNING id`).pluck();
  // every sign of life renews; most agents hold no claim, and the probe costs far less than an
  // UPDATE … RETURNING that matches nothing
  const holdsAny = db.prepare(`SELECT 1 FROM claims WHERE state = 'active' AND agent_id = @agentId AND expires_at > @now LIMIT 1`).pluck();
  const transfer = db.prepare(`UPDATE claims SET agent_id = @toAgentId, expires_at = max(expires_at, @now + ttl_seconds * 1000)
    WHERE state = 'active' AND run_id = @runId
    RETURNING ${COLUMNS}`);

  const pathWorkspaces = db.prepare(`SELECT DISTINCT workspace FROM claims WHERE state = 'active' AND workspace LIKE '/%' LIMIT ?`).pluck();
  const moveWorkspace = db.prepare(`UPDATE claims SET workspace = @to WHERE state = 'active' AND workspace = @from RETURNING id`).pluck();

  const where = (f: Omit<ClaimFilter, 'limit'>) => {
    const parts = [`state = 'active'`];
    const params: Record<string, unknown> = {};
    if (f.workspace !== undefined) {
      parts.push('workspace = @workspace');
      params.workspace = f.workspace;
    }
    if (f.agentId !== undefined) {
      parts.push('agent_id = @agentId');
      params.agentId = f.agentId;
    }
    if (f.runId !== undefined) {
      parts.push('run_id = @runId');
      params.runId = f.runId;
    }
    if (f.kind !== undefined) {
      parts.push('kind = @kind');
      params.kind = f.kind;
    }
    return { sql: parts.join(' AND '), params };
  };
  // Filtered listings have few shapes (which filters are set): cache one statement per shape.
  const listCache = new Map<string, ReturnType<Db['prepare']>>();
  const cached = (sql: string) => {
    let stmt = listCache.get(sql);
    if (!stmt) listCache.set(sql, (stmt = db.prepare(sql)));
    return stmt;
  };

  return {
    insert: async ({ location, ...row }: NewClaimRow) => toClaim(insert.get({ ...row, ...location }) as ClaimRow),
    get: async (id) => {
      const row = get.get(id) as ClaimRow | undefined;
      return row ? toClaim(row) : null;
    },
    async candidates(q: CandidateQuery): Promise<Claim[]> {
      const params = {
        workspace: q.workspace,
        kind: q.kind,
        now: q.now,
        exclusiveOnly: q.exclusiveOnly ? 1 : 0,
        excludeAgentId: q.excludeAgentId,
      };
      const below = toClaims(byAncestors.all({ ...params, ancestors: JSON.stringify(q.ancestors) }));
      const above =
        q.rangeEnd === null
          ? toClaims(byRangeAll.all(params))
          : toClaims(byRange.all({ ...params, prefix: q.prefix, rangeEnd: q.rangeEnd }));
      return [...below, ...above];
    },
    atPrefixes: async (workspace, kind, prefixes, now) =>
      toClaims(atPrefixes.all({ workspace, kind, prefixes: JSON.stringify(prefixes), now })),
    findOwn: async (agentId, workspace, kind, pattern) => {
      const row = findOwn.get(agentId, workspace, kind, pattern) as ClaimRow | undefined;
      return row ? toClaim(row) : null;
    },
    update: async (id, u: ClaimUpdate) => toClaim(update.get({ id, ...u }) as ClaimRow),
    end: async (id, state, reason, now) => {
      const row = end.get({ id, state, reason, now }) as ClaimRow | undefined;
      return row ? toClaim(row) : null;
    },
    async listActive(f: ClaimFilter): Promise<Claim[]> {
      const { sql, params } = where(f);
      return toClaims(cached(`SELECT ${COLUMNS} FROM claims WHERE ${sql} ORDER BY created_at, rowid LIMIT @limit`).all({ ...params, limit: f.limit }));
    },
    async countActive(f): Promise<number> {
      const { sql, params } = where(f);
      return (cached(`SELECT count(*) AS n FROM claims WHERE ${sql}`).get(params) as { n: number }).n;
    },
    listDue: async (now, limit) => toClaims(due.all(now, limit)),
    nextExpiry: async () => (nextExpiry.get() as number | null) ?? null,
    renewAgent: async (agentId, now) => (holdsAny.get({ agentId, now }) === undefined ? [] : (renew.all({ agentId, now }) as string[])),
    activePathWorkspaces: async (limit) => pathWorkspaces.all(limit) as string[],
    moveWorkspace: async (from, to) => moveWorkspace.all({ from, to }) as string[],
    transferRun: async (runId, toAgentId, now) => toClaims(transfer.all({ runId, toAgentId, now })),
  };
}
