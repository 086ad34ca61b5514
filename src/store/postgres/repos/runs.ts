import type { RunState } from '../../../domain/run.js';
import type { HourlyRunCounts, NewRunRow, QueueAggregates, QueueDepthRow, RoleUsageRow, RunExpectation, RunListFilter, RunPatch, RunRepo } from '../../port/runs.js';
import { toJson } from '../../rows/json.js';
import { toRun, type RunRow } from '../../rows/runs.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';
import { Params } from './params.js';

const COLUMNS = `id, title, type, instructions, context, context_ref, origin, to_role, to_agent, priority, state,
  dead_reason, state_reason, owner_id, last_owner_id, lease_epoch, lease_expires_at, attempts, max_attempts,
  available_at, expires_at, ttl_seconds, idempotency_key, submitter, parent_run_id, expected_evidence, on_stale,
  created_at, updated_at, taken_at, finished_at, result_outcome, result_summary, result_evidence, result_risks,
  result_by, result_epoch, result_at, last_error, retries, lease_expiries, tokens_in, tokens_out, cost_usd`;
const R_COLUMNS = COLUMNS.split(',').map((c) => `runs.${c.trim()}`).join(', ');

const INSERT = sql(`INSERT INTO runs (id, title, type, instructions, context, context_ref, origin, to_role,
    to_agent, priority, state, owner_id, last_owner_id, lease_epoch, lease_expires_at, attempts, max_attempts,
    available_at, expires_at, ttl_seconds, idempotency_key, input_hash, submitter, parent_run_id, expected_evidence,
    on_stale, created_at, updated_at, taken_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
    $23, $24, $25, $17, $17, $26)
  RETURNING ${COLUMNS}`);
const GET = sql(`SELECT ${COLUMNS} FROM runs WHERE id = $1`);
// In a write transaction a run read is a row lock (FOR NO KEY UPDATE: it does not block inserts of
// artifacts, handoffs or blockers that reference the run). Services read a run, check its owner and
// epoch, then write beside it (evidence, a blocker): under READ COMMITTED that check holds until
// commit only if nobody can move the run meanwhile. SQLite gets this from its single writer.
const GET_LOCKED = sql(`SELECT ${COLUMNS} FROM runs WHERE id = $1 FOR NO KEY UPDATE`);
const BY_KEY = sql(`SELECT ${COLUMNS}, input_hash FROM runs WHERE submitter = $1 AND idempotency_key = $2`);

/*
 * take_task. The eligible set is read through the two partial queue indexes (agent target, role
 * target), up to TAKE_CANDIDATES best of each without locks; then the best of those is locked with
 * FOR UPDATE SKIP LOCKED and leased in the same statement. A run another taker is leasing right
 * now is locked, so it is skipped (never waited on, never taken twice); the eligibility test is
 * repeated on the locked row's latest version, so a run that a concurrent transaction already
 * leased, requeued with a backoff or expired does not match. If every candidate is locked by other
 * takers the answer is "nothing right now", and the taker's long poll wakes on their commits.
 */
const TAKE_CANDIDATES = 64;
const ELIGIBLE = `state = 'queued' AND available_at <= $3 AND (expires_at IS NULL OR expires_at > $3)`;
const TAKE = sql(`WITH candidates AS (
    (SELECT id, priority, created_at, seq FROM runs
      WHERE ${ELIGIBLE} AND to_agent = $1 ORDER BY priority DESC, created_at, seq LIMIT ${TAKE_CANDIDATES})
    UNION ALL
    (SELECT id, priority, created_at, seq FROM runs
      WHERE ${ELIGIBLE} AND to_agent IS NULL AND to_role = $2 ORDER BY priority DESC, created_at, seq LIMIT ${TAKE_CANDIDATES})
  ), pick AS (
    SELECT runs.id FROM runs JOIN candidates c ON c.id = runs.id
    WHERE runs.state = 'queued' AND runs.available_at <= $3 AND (runs.expires_at IS NULL OR runs.expires_at > $3)
      AND (runs.to_agent = $1 OR (runs.to_agent IS NULL AND runs.to_role = $2))
    ORDER BY c.priority DESC, c.created_at, c.seq LIMIT 1
    FOR UPDATE OF runs SKIP LOCKED
  )
  UPDATE runs SET state = 'leased', owner_id = $1, last_owner_id = $1, lease_epoch = lease_epoch + 1,
    lease_expires_at = $4, attempts = attempts + 1, taken_at = $3, updated_at = $3, state_reason = NULL, expires_at = NULL
  FROM pick WHERE runs.id = pick.id
  RETURNING ${R_COLUMNS}`);
const NEXT_AVAILABLE = sql(`SELECT min(available_at) AS at FROM runs
  WHERE state = 'queued' AND available_at > $3 AND (expires_at IS NULL OR expires_at > $3)
    AND (to_agent = $1 OR (to_agent IS NULL AND to_role = $2))`);
const RENEW = sql(`UPDATE runs SET lease_expires_at = greatest(coalesce(lease_expires_at, 0), $2)
  WHERE owner_id = $1 AND state = 'leased' RETURNING id`);
const LAPSED = sql(`SELECT ${COLUMNS} FROM runs WHERE state = 'leased' AND lease_expires_at <= $1 ORDER BY lease_expires_at LIMIT $2`);
// The sweep's variants lock what they will recover and skip rows other replicas are recovering.
const LAPSED_LOCKED = sql(`SELECT ${COLUMNS} FROM runs WHERE state = 'leased' AND lease_expires_at <= $1
  ORDER BY lease_expires_at LIMIT $2 FOR NO KEY UPDATE SKIP LOCKED`);
const TTL_EXPIRED = sql(`SELECT ${COLUMNS} FROM runs WHERE state = 'queued' AND expires_at IS NOT NULL AND expires_at <= $1
  ORDER BY expires_at LIMIT $2`);
const TTL_EXPIRED_LOCKED = sql(`SELECT ${COLUMNS} FROM runs WHERE state = 'queued' AND expires_at IS NOT NULL AND expires_at <= $1
  ORDER BY expires_at LIMIT $2 FOR NO KEY UPDATE SKIP LOCKED`);
const NEXT_DEADLINE = sql(`SELECT least(
    (SELECT min(lease_expires_at) FROM runs WHERE state = 'leased'),
    (SELECT min(expires_at) FROM runs WHERE state = 'queued' AND expires_at IS NOT NULL)) AS at`);
const OWNED_BY = sql(`SELECT ${COLUMNS} FROM runs WHERE owner_id = $1 AND state = ANY($2::text[]) ORDER BY created_at, seq`);
const IDS = sql('SELECT id FROM runs WHERE starts_with(id, $1) ORDER BY id LIMIT $2');
const ADD_USAGE = sql('UPDATE runs SET tokens_in = tokens_in + $2, tokens_out = tokens_out + $3, cost_usd = cost_usd + $4 WHERE id = $1');
const DEPTH = sql(`SELECT coalesce(to_role, 'agent:' || to_agent) AS role, state, count(*) AS count FROM runs
  WHERE state IN ('queued', 'leased', 'blocked', 'handoff_pending') GROUP BY 1, 2 ORDER BY 1, 2`);
const FINISHED = sql(`SELECT state, sum(n)::bigint AS n FROM run_state_counts WHERE state IN ('completed', 'failed', 'cancelled', 'dead') GROUP BY state`);
const OLDEST = sql(`SELECT min(created_at) AS at FROM runs WHERE state = 'queued'`);
// kept by the triggers of migration 013 (16 shard rows per state): no scan of every run ever written
const BY_STATE = sql('SELECT state, sum(n)::bigint AS n FROM run_state_counts GROUP BY state HAVING sum(n) > 0');
// counters of migration 013 and the finished-runs index: no scan of every run ever written
const LATENCIES = sql(`SELECT result_at - taken_at AS ms FROM runs
  WHERE finished_at IS NOT NULL AND result_at IS NOT NULL AND taken_at IS NOT NULL ORDER BY finished_at DESC LIMIT $1`);
const COUNTERS = sql(`SELECT (SELECT sum(retries) FROM run_totals)::bigint AS retries, (SELECT sum(lease_expiries) FROM run_totals)::bigint AS expiries,
  (SELECT coalesce(sum(n), 0) FROM run_state_counts)::bigint AS total`);
const USAGE_BY_ROLE = sql(`SELECT role, sum(runs)::bigint AS runs, sum(tokens_in)::bigint AS tokens_in, sum(tokens_out)::bigint AS tokens_out,
  sum(cost_usd) AS cost_usd FROM run_usage_by_role GROUP BY role ORDER BY role`);
const HOURLY = sql(`SELECT hour, sum(completed)::bigint AS completed, sum(failed)::bigint AS failed, sum(dead_tried)::bigint AS "deadTried",
  sum(processed)::bigint AS processed, sum(processed_ms)::bigint AS "processedMs" FROM run_hourly WHERE hour >= $1 GROUP BY hour ORDER BY hour`);

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

const MAX_STATES = 8;

export function pgRunRepo(s: PgSession): RunRepo {
  const many = async (st: typeof GET, values: unknown[]) => (await s.rows<RunRow>(st, values)).map(toRun);
  const cached = s.cache.runs as Map<string, RunRow>;
  /** a row this transaction holds locked (or reads in its snapshot): remembered for later reads */
  const held = (row: RunRow | null | undefined) => {
    if (row) cached.set(row.id, row);
    return row ? toRun(row) : null;
  };
  const get = async (id: string) => {
    const row = cached.get(id);
    if (row) return toRun(row);
    return held(await s.one<RunRow>(s.writing ? GET_LOCKED : GET, [id]));
  };

  /** One conditional UPDATE … WHERE state/epoch/owner … RETURNING: under READ COMMITTED a concurrent
   * change makes the row be re-read and re-tested after the other commits, so a stale expectation
   * matches nothing (fencing). */
  function update(id: string, expect: RunExpectation, patch: RunPatch, now: number) {
    if (expect.states.length === 0 || expect.states.length > MAX_STATES) throw new Error('bad run expectation');
    const p = new Params();
    const sets: string[] = [`updated_at = ${p.add(now)}`];
    for (const [key, column] of Object.entries(PATCH_COLUMNS)) {
      const value = patch[key as keyof typeof PATCH_COLUMNS];
      if (value !== undefined) sets.push(`${column} = ${p.add(value)}`);
    }
    for (const [key, text] of Object.entries(BUMPS)) if (patch[key as keyof typeof BUMPS]) sets.push(text);
    if (patch.result !== undefined) {
      const r = patch.result;
      sets.push(
        `result_outcome = ${p.add(r?.outcome ?? null)}`,
        `result_summary = ${p.add(r?.summary ?? null)}`,
        `result_evidence = ${p.add(toJson(r?.evidence ?? []))}`,
        `result_risks = ${p.add(toJson(r?.risks ?? []))}`,
        `result_by = ${p.add(r?.by ?? null)}`,
        `result_epoch = ${p.add(r?.epoch ?? null)}::integer`,
        `result_at = ${p.add(r?.at ?? null)}::bigint`,
      );
    }
    const where = [`id = ${p.add(id)}`, `state = ANY(${p.add(expect.states)}::text[])`];
    if (expect.epoch !== undefined) where.push(`lease_epoch = ${p.add(expect.epoch)}`);
    if (expect.ownerId !== undefined) where.push(expect.ownerId === null ? 'owner_id IS NULL' : `owner_id = ${p.add(expect.ownerId)}`);
    return s.rows<RunRow>(sql(`UPDATE runs SET ${sets.join(', ')} WHERE ${where.join(' AND ')} RETURNING ${COLUMNS}`), p.values).then((rows) => {
      if (!rows[0]) cached.delete(id);
      return held(rows[0]);
    });
  }

  function list(f: RunListFilter) {
    const p = new Params();
    const where: string[] = [];
    if (f.states && f.states.length > 0) where.push(`state = ANY(${p.add(f.states)}::text[])`);
    if (f.role !== undefined) where.push(`to_role = ${p.add(f.role)}`);
    if (f.ownerId !== undefined) {
      const owner = p.add(f.ownerId);
      where.push(`(owner_id = ${owner} OR (owner_id IS NULL AND last_owner_id = ${owner}))`);
    }
    if (f.submitter !== undefined) where.push(`submitter = ${p.add(f.submitter)}`);
    if (f.parentRunId !== undefined) where.push(`parent_run_id = ${p.add(f.parentRunId)}`);
    if (f.cursor) {
      const cu = p.add(f.cursor.createdAt);
      where.push(`(created_at < ${cu} OR (created_at = ${cu} AND id < ${p.add(f.cursor.id)}))`);
    }
    const text = `SELECT ${COLUMNS} FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ${p.add(f.limit)}`;
    return many(sql(text), p.values);
  }

  return {
    insert: async (row: NewRunRow) => {
      const leased = row.leasedTo;
      return held(
        (await s.one<RunRow>(INSERT, [
          row.id, row.title, row.type, row.instructions, row.context, row.contextRef, row.origin, row.toRole, row.toAgent, row.priority,
          leased ? 'leased' : 'queued',
          leased?.agentId ?? null,
          leased ? 1 : 0,
          leased?.leaseExpiresAt ?? null,
          leased ? 1 : 0,
          row.maxAttempts,
          row.now,
          row.ttlSeconds === null ? null : row.now + row.ttlSeconds * 1000,
          row.ttlSeconds,
          row.idempotencyKey,
          row.inputHash,
          row.submitter,
          row.parentRunId,
          toJson(row.expectedEvidence),
          row.onStale,
          leased ? row.now : null,
        ]))!,
      )!;
    },
    get,
    findByIdempotencyKey: async (submitter, key) => {
      const row = await s.one<RunRow & { input_hash: string | null }>(BY_KEY, [submitter, key]);
      return row ? { run: toRun(row), inputHash: row.input_hash } : null;
    },
    takeNext: async (agentId, role, now, leaseExpiresAt) => held((await s.rows<RunRow>(TAKE, [agentId, role, now, leaseExpiresAt]))[0]),
    nextAvailableAt: async (agentId, role, now) => (await s.one<{ at: number | null }>(NEXT_AVAILABLE, [agentId, role, now]))?.at ?? null,
    update,
    renewLeases: async (agentId, until) => {
      const renewed = (await s.rows<{ id: string }>(RENEW, [agentId, until])).map((r) => r.id);
      for (const id of renewed) cached.delete(id);
      return renewed;
    },
    listOwnedBy: (agentId, states) => many(OWNED_BY, [agentId, [...states]]),
    listLapsed: (now, limit) => many(s.writing ? LAPSED_LOCKED : LAPSED, [now, limit]),
    listTtlExpired: (now, limit) => many(s.writing ? TTL_EXPIRED_LOCKED : TTL_EXPIRED, [now, limit]),
    list,
    nextDeadline: async () => (await s.one<{ at: number | null }>(NEXT_DEADLINE))?.at ?? null,
    listIds: async (prefix, limit) => (await s.rows<{ id: string }>(IDS, [prefix, limit])).map((r) => r.id),
    addUsage: async (id, u) => {
      cached.delete(id);
      s.defer(ADD_USAGE, [id, u.tokens_in ?? 0, u.tokens_out ?? 0, u.cost_usd ?? 0]);
    },
    hourly: (fromHour) => s.rows<HourlyRunCounts>(HOURLY, [fromHour]),
    countByState: async () =>
      Object.fromEntries((await s.rows<{ state: RunState; n: number }>(BY_STATE)).map((r) => [r.state, r.n])) as Partial<Record<RunState, number>>,
    aggregates: async (latencySample): Promise<QueueAggregates> => {
      const finished = { completed: 0, failed: 0, dead: 0, cancelled: 0 };
      for (const r of await s.rows<{ state: keyof typeof finished; n: number }>(FINISHED)) finished[r.state] = r.n;
      const c = (await s.one<{ retries: number; expiries: number; total: number }>(COUNTERS))!;
      return {
        depth: await s.rows<QueueDepthRow>(DEPTH),
        oldestQueuedCreatedAt: (await s.one<{ at: number | null }>(OLDEST))?.at ?? null,
        latenciesMs: (await s.rows<{ ms: number }>(LATENCIES, [latencySample])).map((r) => r.ms).sort((a, b) => a - b),
        finished,
        retries: c.retries,
        leaseExpiries: c.expiries,
        usageByRole: await s.rows<RoleUsageRow>(USAGE_BY_ROLE),
        totalRuns: c.total,
      };
    },
  };
}
