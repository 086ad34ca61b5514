-- 003: runs (mirrors the SQLite 003): queued tasks and self-started work, with leases, fencing
-- epochs and results. The state machine of src/domain/run.ts is held by CHECK constraints;
-- services change state only through conditional UPDATEs naming the state (and epoch) they expect.

CREATE TABLE runs (
  id                TEXT PRIMARY KEY CHECK (id LIKE 'run\_%'),
  -- insertion order: FIFO among runs created in the same millisecond (SQLite uses its rowid)
  seq               BIGSERIAL NOT NULL,
  title             TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
  type              TEXT NOT NULL DEFAULT 'task' CHECK (length(type) BETWEEN 1 AND 64),
  instructions      TEXT NOT NULL DEFAULT '',
  context           TEXT,
  context_ref       TEXT,
  origin            TEXT NOT NULL CHECK (origin IN ('submitted', 'started')),
  to_role           TEXT,
  to_agent          TEXT,
  priority          INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN -1000 AND 1000),
  state             TEXT NOT NULL CHECK (state IN (
                      'queued', 'leased', 'blocked', 'handoff_pending', 'completed', 'failed', 'cancelled', 'dead')),
  dead_reason       TEXT CHECK (dead_reason IN ('expired', 'max_attempts', 'non_retryable')),
  state_reason      TEXT,
  owner_id          TEXT,
  last_owner_id     TEXT,
  lease_epoch       INTEGER NOT NULL DEFAULT 0 CHECK (lease_epoch >= 0),
  lease_expires_at  BIGINT,
  attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts      INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 100),
  available_at      BIGINT NOT NULL,
  expires_at        BIGINT,
  ttl_seconds       INTEGER CHECK (ttl_seconds IS NULL OR ttl_seconds > 0),
  idempotency_key   TEXT,
  input_hash        TEXT,
  submitter         TEXT NOT NULL,
  parent_run_id     TEXT REFERENCES runs (id),
  expected_evidence TEXT NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(expected_evidence::jsonb) = 'array'),
  on_stale          TEXT NOT NULL DEFAULT 'requeue' CHECK (on_stale IN ('requeue', 'escalate', 'dead_letter')),
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  taken_at          BIGINT,
  finished_at       BIGINT,
  result_outcome    TEXT CHECK (result_outcome IN ('completed', 'failed')),
  result_summary    TEXT,
  result_evidence   TEXT NOT NULL DEFAULT '[]' CHECK (result_evidence::jsonb IS NOT NULL),
  result_risks      TEXT NOT NULL DEFAULT '[]' CHECK (result_risks::jsonb IS NOT NULL),
  result_by         TEXT,
  result_epoch      INTEGER,
  result_at         BIGINT,
  last_error        TEXT,
  retries           INTEGER NOT NULL DEFAULT 0 CHECK (retries >= 0),
  lease_expiries    INTEGER NOT NULL DEFAULT 0 CHECK (lease_expiries >= 0),
  tokens_in         BIGINT NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
  tokens_out        BIGINT NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
  cost_usd          DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
  CHECK (to_role IS NOT NULL OR to_agent IS NOT NULL),
  CHECK ((state IN ('leased', 'blocked', 'handoff_pending')) = (owner_id IS NOT NULL)),
  CHECK (state <> 'leased' OR lease_expires_at IS NOT NULL),
  CHECK ((state = 'dead') = (dead_reason IS NOT NULL)),
  CHECK ((state IN ('completed', 'failed', 'cancelled', 'dead')) = (finished_at IS NOT NULL)),
  CHECK (state <> 'completed' OR result_outcome = 'completed'),
  CHECK (state <> 'failed' OR result_outcome = 'failed')
);

-- the take query: eligible queued runs per target, best first
CREATE INDEX runs_queue_by_role ON runs (to_role, priority DESC, created_at, seq) WHERE state = 'queued' AND to_agent IS NULL;
CREATE INDEX runs_queue_by_agent ON runs (to_agent, priority DESC, created_at, seq) WHERE state = 'queued' AND to_agent IS NOT NULL;
CREATE INDEX runs_ttl ON runs (expires_at) WHERE state = 'queued' AND expires_at IS NOT NULL;
CREATE INDEX runs_by_owner ON runs (owner_id, state) WHERE owner_id IS NOT NULL;
CREATE INDEX runs_lease_expiry ON runs (lease_expires_at) WHERE state = 'leased';
CREATE INDEX runs_by_state ON runs (state, created_at);
CREATE INDEX runs_by_created ON runs (created_at, id);
CREATE INDEX runs_by_submitter ON runs (submitter, created_at);
CREATE INDEX runs_by_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
-- idempotency: a concurrent duplicate submit fails here; the store retries its transaction, which
-- then finds the first run (see pg-store.ts, RACE_CONSTRAINTS)
CREATE UNIQUE INDEX runs_idempotency ON runs (submitter, idempotency_key) WHERE idempotency_key IS NOT NULL;
