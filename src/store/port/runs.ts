import type { DeadReason, Run, RunResult, RunState } from '../../domain/run.js';

/** What a new run row needs: the run's own fields as the domain names them, and how it starts. */
export type NewRunRow = Pick<
  Run,
  | 'id' | 'title' | 'type' | 'instructions' | 'context' | 'contextRef' | 'origin' | 'toRole' | 'toAgent' | 'priority'
  | 'maxAttempts' | 'ttlSeconds' | 'idempotencyKey' | 'submitter' | 'parentRunId' | 'expectedEvidence' | 'onStale'
> & {
  /** hash of the submit input, to tell a retried submit from a different one with the same key */
  inputHash: string | null;
  now: number;
  /** for `start_run`: the run is created leased to this agent until `leaseExpiresAt` */
  leasedTo?: { agentId: string; leaseExpiresAt: number };
}

/**
 * Columns a state change may set. `undefined` leaves a column alone; `null` clears it.
 * `bumpEpoch` increments lease_epoch; `bumpAttempts`, `bumpRetries`, `bumpLeaseExpiries` count.
 */
export interface RunPatch {
  state?: RunState;
  deadReason?: DeadReason | null;
  stateReason?: string | null;
  ownerId?: string | null;
  lastOwnerId?: string | null;
  leaseExpiresAt?: number | null;
  availableAt?: number;
  expiresAt?: number | null;
  toRole?: string | null;
  toAgent?: string | null;
  maxAttempts?: number;
  takenAt?: number | null;
  finishedAt?: number | null;
  lastError?: string | null;
  result?: RunResult | null;
  bumpEpoch?: boolean;
  bumpAttempts?: boolean;
  bumpRetries?: boolean;
  bumpLeaseExpiries?: boolean;
}

/** What a conditional update expects the row to still be; no match means someone moved it. */
export interface RunExpectation {
  states: readonly RunState[];
  epoch?: number;
  ownerId?: string | null;
}

export interface RunListFilter {
  states?: RunState[];
  role?: string;
  ownerId?: string;
  submitter?: string;
  parentRunId?: string;
  /** rows strictly after this (created_at, id) position, newest first */
  cursor?: { createdAt: number; id: string };
  limit: number;
}

export interface RunUsageDelta {
  tokens_in?: number;
  tokens_out?: number;
  cost_usd?: number;
}

export interface QueueDepthRow {
  role: string;
  state: RunState;
  count: number;
}

export interface RoleUsageRow {
  role: string;
  runs: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
}

export interface QueueAggregates {
  depth: QueueDepthRow[];
  oldestQueuedCreatedAt: number | null;
  /** processing times (take → result) of the most recent results, milliseconds, ascending */
  latenciesMs: number[];
  finished: { completed: number; failed: number; dead: number; cancelled: number };
  retries: number;
  leaseExpiries: number;
  usageByRole: RoleUsageRow[];
  totalRuns: number;
}

export interface RunRepo {
  insert(row: NewRunRow): Promise<Run>;
  get(id: string): Promise<Run | null>;
  /** the run an earlier submit_task with this key created, with the hash of its input */
  findByIdempotencyKey(submitter: string, key: string): Promise<{ run: Run; inputHash: string | null } | null>;
  /**
   * Leases the best eligible queued run for this agent in one UPDATE … RETURNING: targeted at the
   * agent, or at its role with no agent target; available (backoff over) and not past its TTL;
   * highest priority first, then oldest. Bumps the epoch and the attempt count.
   */
  takeNext(agentId: string, role: string, now: number, leaseExpiresAt: number): Promise<Run | null>;
  /** The earliest time a queued run for this agent comes out of its backoff (null: none waiting). */
  nextAvailableAt(agentId: string, role: string, now: number): Promise<number | null>;
  /** Conditional update: applies `patch` only if the row still matches `expect`; null otherwise. */
  update(id: string, expect: RunExpectation, patch: RunPatch, now: number): Promise<Run | null>;
  /** Extends lease_expires_at of the agent's leased runs; returns their ids. */
  renewLeases(agentId: string, leaseExpiresAt: number, now: number): Promise<string[]>;
  listOwnedBy(agentId: string, states: readonly RunState[]): Promise<Run[]>;
  /** leased runs whose lease ran out before `now` */
  listLapsed(now: number, limit: number): Promise<Run[]>;
  /** queued runs past their TTL */
  listTtlExpired(now: number, limit: number): Promise<Run[]>;
  list(filter: RunListFilter): Promise<Run[]>;
  /** The earliest lapse of a lease or TTL of a queued run (null: none), for the sweep's next deadline. */
  nextDeadline(): Promise<number | null>;
  listIds(prefix: string, limit: number): Promise<string[]>;
  addUsage(id: string, usage: RunUsageDelta): Promise<void>;
  aggregates(latencySample: number): Promise<QueueAggregates>;
  /** Runs that ended in each hour from `fromHour` (hours since the epoch), kept by the triggers of migration 013. */
  hourly(fromHour: number): Promise<HourlyRunCounts[]>;
  /** How many runs are in each state (states with none are absent). */
  countByState(): Promise<Partial<Record<RunState, number>>>;
}


export interface HourlyRunCounts {
  hour: number;
  completed: number;
  failed: number;
  deadTried: number;
  processed: number;
  processedMs: number;
}
