import type { Run, RunState } from '../../../domain/run.js';
import type {
  NewRunRow,
  QueueAggregates,
  QueueDepthRow,
  RoleUsageRow,
  RunExpectation,
  RunListFilter,
  RunPatch,
  RunRepo,
  HourlyRunCounts,
} from '../../port/runs.js';
import type { Db } from '../open.js';
import { toJson } from '../../rows/json.js';
import { toRun, type RunRow } from '../../rows/runs.js';

const COLUMNS = `id, title, type, instructions, context, context_ref, origin, to_role, to_agent, priority, state,
  dead_reason, state_reason, owner_id, last_owner_id, lease_epoch, lease_expires_at, attempts, max_attempts,
  available_at, expires_at, ttl_seconds, idempotency_key, submitter, parent_run_id, expected_evidence, on_stale,
  created_at, updated_at, taken_at, finished_at, result_outcome, result_summary, result_evidence, result_risks,
  result_by, result_epoch, result_at, last_error, retries, lease_expiries, tokens_in, tokens_out, cost_usd`;

/** Plain column assignments a patch may carry, by patch key. */
const PATCH_COLUMNS = {
  state: 'state',
  deadReason: 'dead_reason',
  stateReason: 'state_reason',
  ownerId: 'owner_id',
  lastOwnerId: 'last_owner_id',
  leaseExpiresAt: 'lease_expires_at',
  availableAt: 'available_at',
  expiresAt: 'expires_at',
  toRole: 'to_role',
  toAgent: 'to_agent',
  maxAttempts: 'max_attempts',
  takenAt: 'taken_at',
  finishedAt: 'finished_at',
  lastError: 'last_error',
} as const satisfies Partial<Record<keyof RunPatch, string>>;

const BUMPS = {
  bumpEpoch: 'lease_epoch = lease_epoch + 1',
  bumpAttempts: 'attempts = attempts + 1',
  bumpRetries: 'retries = retries + 1',
  bumpLeaseExpiries: 'lease_expiries = lease_expiries + 1',
} as const;

const RESULT_SETS = [
  'result_outcome = @r_outcome',
  'result_summary = @r_summary',
  'result_evidence = @r_evidence',
  'result_risks = @r_risks',
  'result_by = @r_by',
  'result_epoch = @r_epoch',
  'result_at = @r_at',
];

const MAX_STATES = 8;

export function sqliteRunRepo(db: Db): RunRepo {
  const insert = db.prepare(`INSERT INTO runs (id, title, type, instructions, context, context_ref, origin, to_role,
      to_agent, priority, state, owner_id, last_owner_id, lease_epoch, lease_expires_at, attempts, max_attempts,
      available_at, expires_at, ttl_seconds, idempotency_key, input_hash, submitter, parent_run_id, expected_evidence,
      on_stale, created_at, updated_at, taken_at)
    VALUES (@id, @title, @type, @instructions, @context, @contextRef, @origin, @toRole, @toAgent, @priority, @state,
      @ownerId, @ownerId, @epoch, @leaseExpiresAt, @attempts, @maxAttempts, @now, @expiresAt, @ttlSeconds,
      @idempotencyKey, @inputHash, @submitter, @parentRunId, @expectedEvidence, @onStale, @now, @now, @takenAt)
    RETURNING ${COLUMNS}`);
  const get = db.prepare(`SELECT ${COLUMNS} FROM runs WHERE id = ?`);
  const byKey = db.prepare(`SELECT ${COLUMNS}, input_hash FROM runs WHERE submitter = ? AND idempotency_key = ?`);

  // The eligible set, best first. Two index-backed branches (agent target, role target) merged.
  const eligible = `
    SELECT id, priority, created_at, rowid AS seq FROM runs
      WHERE state = 'queued' AND to_agent = @agentId AND available_at <= @now
        AND (expires_at IS NULL OR expires_at > @now)
    UNION ALL
    SELECT id, priority, created_at, rowid AS seq FROM runs
      WHERE state = 'queued' AND to_agent IS NULL AND to_role = @role AND available_at <= @now
        AND (expires_at IS NULL OR expires_at > @now)
    ORDER BY priority DESC, created_at, seq LIMIT 1`; // seq: FIFO among runs submitted in the same ms
  // expires_at = NULL: the TTL bounds the wait before a run starts; a started run that is retried
  // or requeued after its owner went silent is not dead-lettered as expired (requeue_run opens a new window)
  const take = db.prepare(`UPDATE runs SET state = 'leased', owner_id = @agentId, last_owner_id = @agentId,
      lease_epoch = lease_epoch + 1, lease_expires_at = @leaseExpiresAt, attempts = attempts + 1,
      taken_at = @now, updated_at = @now, state_reason = NULL, expires_at = NULL
    WHERE id = (SELECT id FROM (${eligible})) AND state = 'queued'
    RETURNING ${COLUMNS}`);
  const nextAvailable = db.prepare(`SELECT min(available_at) FROM runs
    WHERE state = 'queued' AND available_at > @now AND (expires_at IS NULL OR expires_at > @now)
      AND (to_agent = @agentId OR (to_agent IS NULL AND to_role = @role))`).pluck();

  const renew = db.prepare(`UPDATE runs SET lease_expires_at = max(coalesce(lease_expires_at, 0), @until)
    WHERE owner_id = @agentId AND state = 'leased' RETURNING id`).pluck();
  // as claims.renewAgent: a one-step probe first, since most signs of life come from agents holding no lease
  const holdsLease = db.prepare(`SELECT 1 FROM runs WHERE owner_id = ? AND state = 'leased' LIMIT 1`).pluck();
  // INDEXED BY: these run inside every write transaction; without statistics the planner would
  // pick runs_by_state and sort every leased/queued run.
  const nextDeadline = db.prepare(`SELECT min(t) FROM (
      SELECT min(lease_expires_at) AS t FROM runs INDEXED BY runs_lease_expiry WHERE state = 'leased'
      UNION ALL SELECT min(expires_at) FROM runs INDEXED BY runs_ttl WHERE state = 'queued' AND expires_at IS NOT NULL)`).pluck();
  const lapsed = db.prepare(`SELECT ${COLUMNS} FROM runs INDEXED BY runs_lease_expiry WHERE state = 'leased' AND lease_expires_at <= ?
    ORDER BY lease_expires_at LIMIT ?`);
  const ttlExpired = db.prepare(`SELECT ${COLUMNS} FROM runs INDEXED BY runs_ttl WHERE state = 'queued' AND expires_at IS NOT NULL
    AND expires_at <= ? ORDER BY expires_at LIMIT ?`);
  const ownedBy = db.prepare(`SELECT ${COLUMNS} FROM runs WHERE owner_id = ? AND state IN (SELECT value FROM json_each(?))
    ORDER BY created_at`);
  const ids = db.prepare(`SELECT id FROM runs WHERE id >= ? AND id < ? || '~' ORDER BY id LIMIT ?`).pluck();
  const addUsage = db.prepare(`UPDATE runs SET tokens_in = tokens_in + @tin, tokens_out = tokens_out + @tout,
    cost_usd = cost_usd + @cost WHERE id = @id`);

  const depth = db.prepare(`SELECT coalesce(to_role, 'agent:' || to_agent) AS role, state, count(*) AS count FROM runs
    WHERE state IN ('queued', 'leased', 'blocked', 'handoff_pending') GROUP BY 1, 2 ORDER BY 1, 2`);
  // the figures below read the counters of migration 013 and the finished-runs index: no scan of every run ever written
  const deadCounts = db.prepare(`SELECT state, n FROM run_state_counts WHERE state IN ('completed', 'failed', 'cancelled', 'dead')`);
  const oldest = db.prepare(`SELECT min(created_at) FROM runs WHERE state = 'queued'`).pluck();
  // kept by the triggers of migration 013: no scan of every run ever written
  const byState = db.prepare(`SELECT state, n FROM run_state_counts WHERE n > 0`);
  const latencies = db.prepare(`SELECT result_at - taken_at AS ms FROM runs INDEXED BY runs_finished
    WHERE finished_at IS NOT NULL AND result_at IS NOT NULL AND taken_at IS NOT NULL ORDER BY finished_at DESC LIMIT ?`).pluck();
  const counters = db.prepare(`SELECT retries, lease_expiries AS expiries, (SELECT coalesce(sum(n), 0) FROM run_state_counts) AS total
    FROM run_totals WHERE id = 1`);
  const usageByRole = db.prepare(`SELECT role, runs, tokens_in, tokens_out, cost_usd FROM run_usage_by_role ORDER BY role`);
  const hourly = db.prepare(`SELECT hour, completed, failed, dead_tried AS deadTried, processed, processed_ms AS processedMs
    FROM run_hourly WHERE hour >= ? ORDER BY hour`);

  const updates = new Map<string, ReturnType<Db['prepare']>>();

  async function update(id: string, expect: RunExpectation, patch: RunPatch, now: number): Promise<Run | null> {
    const sets: string[] = ['updated_at = @now'];
    const params: Record<string, unknown> = { id, now };
    for (const [key, column] of Object.entries(PATCH_COLUMNS)) {
      const value = patch[key as keyof typeof PATCH_COLUMNS];
      if (value === undefined) continue;
      sets.push(`${column} = @${key}`);
      params[key] = value;
    }
    for (const [key, sql] of Object.entries(BUMPS)) if (patch[key as keyof typeof BUMPS]) sets.push(sql);
    if (patch.result !== undefined) {
      sets.push(...RESULT_SETS);
      const r = patch.result;
      Object.assign(params, {
        r_outcome: r?.outcome ?? null,
        r_summary: r?.summary ?? null,
        r_evidence: toJson(r?.evidence ?? []),
        r_risks: toJson(r?.risks ?? []),
        r_by: r?.by ?? null,
        r_epoch: r?.epoch ?? null,
        r_at: r?.at ?? null,
      });
    }
    if (expect.states.length === 0 || expect.states.length > MAX_STATES) throw new Error('bad run expectation');
    const where = ['id = @id', `state IN (${expect.states.map((_, i) => `@s${i}`).join(', ')})`];
    expect.states.forEach((s, i) => (params[`s${i}`] = s));
    if (expect.epoch !== undefined) {
      where.push('lease_epoch = @e_epoch');
      params.e_epoch = expect.epoch;
    }
    if (expect.ownerId !== undefined) {
      where.push(expect.ownerId === null ? 'owner_id IS NULL' : 'owner_id = @e_owner');
      if (expect.ownerId !== null) params.e_owner = expect.ownerId;
    }
    const sql = `UPDATE runs SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING ${COLUMNS}`;
    let stmt = updates.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      updates.set(sql, stmt);
    }
    const row = stmt.get(params) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  async function list(f: RunListFilter): Promise<Run[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: f.limit };
    if (f.states && f.states.length > 0) {
      where.push('state IN (SELECT value FROM json_each(@states))');
      params.states = toJson(f.states);
    }
    if (f.role !== undefined) {
      where.push('to_role = @role');
      params.role = f.role;
    }
    if (f.ownerId !== undefined) {
      where.push('(owner_id = @owner OR (owner_id IS NULL AND last_owner_id = @owner))');
      params.owner = f.ownerId;
    }
    if (f.submitter !== undefined) {
      where.push('submitter = @submitter');
      params.submitter = f.submitter;
    }
    if (f.parentRunId !== undefined) {
      where.push('parent_run_id = @parent');
      params.parent = f.parentRunId;
    }
    if (f.cursor) {
      where.push('(created_at < @cu OR (created_at = @cu AND id < @ci))');
      params.cu = f.cursor.createdAt;
      params.ci = f.cursor.id;
    }
    const sql = `SELECT ${COLUMNS} FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT @limit`;
    let stmt = updates.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      updates.set(sql, stmt);
    }
    return (stmt.all(params) as RunRow[]).map(toRun);
  }

  return {
    insert: async (row: NewRunRow) => {
      const leased = row.leasedTo;
      return toRun(
        insert.get({
          id: row.id,
          title: row.title,
          type: row.type,
          instructions: row.instructions,
          context: row.context,
          contextRef: row.contextRef,
          origin: row.origin,
          toRole: row.toRole,
          toAgent: row.toAgent,
          priority: row.priority,
          state: leased ? 'leased' : 'queued',
          ownerId: leased?.agentId ?? null,
          epoch: leased ? 1 : 0,
          leaseExpiresAt: leased?.leaseExpiresAt ?? null,
          attempts: leased ? 1 : 0,
          maxAttempts: row.maxAttempts,
          expiresAt: row.ttlSeconds === null ? null : row.now + row.ttlSeconds * 1000,
          ttlSeconds: row.ttlSeconds,
          idempotencyKey: row.idempotencyKey,
          inputHash: row.inputHash,
          submitter: row.submitter,
          parentRunId: row.parentRunId,
          expectedEvidence: toJson(row.expectedEvidence),
          onStale: row.onStale,
          now: row.now,
          takenAt: leased ? row.now : null,
        }) as RunRow,
      );
    },
    get: async (id) => {
      const row = get.get(id) as RunRow | undefined;
      return row ? toRun(row) : null;
    },
    findByIdempotencyKey: async (submitter, key) => {
      const row = byKey.get(submitter, key) as (RunRow & { input_hash: string | null }) | undefined;
      return row ? { run: toRun(row), inputHash: row.input_hash } : null;
    },
    takeNext: async (agentId, role, now, leaseExpiresAt) => {
      const row = take.get({ agentId, role, now, leaseExpiresAt }) as RunRow | undefined;
      return row ? toRun(row) : null;
    },
    nextAvailableAt: async (agentId, role, now) => (nextAvailable.get({ agentId, role, now }) as number | null) ?? null,
    update,
    renewLeases: async (agentId, until, now) => {
      void now;
      if (holdsLease.get(agentId) === undefined) return [];
      return renew.all({ agentId, until }) as string[];
    },
    listOwnedBy: async (agentId, states) => (ownedBy.all(agentId, toJson(states)) as RunRow[]).map(toRun),
    listLapsed: async (now, limit) => (lapsed.all(now, limit) as RunRow[]).map(toRun),
    hourly: async (fromHour) => hourly.all(fromHour) as HourlyRunCounts[],
    countByState: async () => Object.fromEntries((byState.all() as { state: RunState; n: number }[]).map((r) => [r.state, r.n])),
    listTtlExpired: async (now, limit) => (ttlExpired.all(now, limit) as RunRow[]).map(toRun),
    list,
    nextDeadline: async () => (nextDeadline.get() as number | null) ?? null,
    listIds: async (prefix, limit) => ids.all(prefix, prefix, limit) as string[],
    addUsage: async (id, u) =>
      void addUsage.run({ id, tin: u.tokens_in ?? 0, tout: u.tokens_out ?? 0, cost: u.cost_usd ?? 0 }),
    aggregates: async (latencySample): Promise<QueueAggregates> => {
      const finished = { completed: 0, failed: 0, dead: 0, cancelled: 0 };
      for (const r of deadCounts.all() as { state: keyof typeof finished; n: number }[]) finished[r.state] = r.n;
      const c = counters.get() as { retries: number; expiries: number; total: number };
      return {
        depth: depth.all() as QueueDepthRow[],
        oldestQueuedCreatedAt: (oldest.get() as number | null) ?? null,
        latenciesMs: (latencies.all(latencySample) as number[]).sort((a, b) => a - b),
        finished,
        retries: c.retries,
        leaseExpiries: c.expiries,
        usageByRole: usageByRole.all() as RoleUsageRow[],
        totalRuns: c.total,
      };
    },
  };
}
