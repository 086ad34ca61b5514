-- 001: agents, the append-only audit log with its chain head, and the signals that reach agents.
-- Mirrors src/store/sqlite/migrations/001_core.sql; times are epoch milliseconds (BIGINT), JSON
-- columns are TEXT (the audit hash covers the exact stored text) checked with a jsonb cast.

CREATE TABLE agents (
  id                TEXT PRIMARY KEY CHECK (id LIKE 'agt\_%'),
  name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
  role              TEXT NOT NULL CHECK (length(role) BETWEEN 1 AND 64),
  workspace         TEXT,
  capabilities      TEXT NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(capabilities::jsonb) = 'array'),
  token_hash        TEXT NOT NULL,
  status            TEXT NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'working', 'waiting', 'blocked', 'done')),
  note              TEXT,
  progress          DOUBLE PRECISION CHECK (progress IS NULL OR (progress >= 0 AND progress <= 1)),
  current_run_id    TEXT,
  lease_seconds     INTEGER NOT NULL CHECK (lease_seconds > 0),
  registered_at     BIGINT NOT NULL,
  last_seen_at      BIGINT NOT NULL,
  last_heartbeat_at BIGINT,
  -- last_seen_at + lease: kept as a column so the sweep finds expired agents through an index
  expires_at        BIGINT NOT NULL,
  liveness          TEXT NOT NULL DEFAULT 'active' CHECK (liveness IN ('active', 'stale')),
  stale_since       BIGINT,
  paused            BOOLEAN NOT NULL DEFAULT false,
  signal_cursor     BIGINT NOT NULL DEFAULT 0,
  tokens_in         BIGINT NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
  tokens_out        BIGINT NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
  cost_usd          DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
  CHECK ((liveness = 'stale') = (stale_since IS NOT NULL))
);

CREATE INDEX agents_by_expiry ON agents (expires_at) WHERE liveness = 'active';
CREATE INDEX agents_by_name ON agents (name, role);

CREATE TABLE events (
  seq        BIGINT PRIMARY KEY CHECK (seq > 0),
  at         BIGINT NOT NULL,
  actor      TEXT NOT NULL,
  type       TEXT NOT NULL,
  agent_id   TEXT,
  run_id     TEXT,
  subject_id TEXT,
  payload    TEXT NOT NULL CHECK (payload::jsonb IS NOT NULL),
  prev_hash  TEXT NOT NULL CHECK (length(prev_hash) = 64),
  hash       TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
);

CREATE INDEX events_by_agent ON events (agent_id, seq) WHERE agent_id IS NOT NULL;
CREATE INDEX events_by_run ON events (run_id, seq) WHERE run_id IS NOT NULL;
CREATE INDEX events_by_subject ON events (subject_id, seq) WHERE subject_id IS NOT NULL;

-- The chain head: the seq and hash of the newest event, in one row. Every transaction that
-- appends events locks this row (UPDATE … RETURNING) just before it commits, so appends from all
-- replicas form one line: seq N+1 is assigned only after the transaction holding N committed,
-- and a reader that sees N+1 also sees N (commits become visible before row locks are released).
CREATE TABLE event_chain_head (
  id   BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
  seq  BIGINT NOT NULL CHECK (seq >= 0),
  hash TEXT NOT NULL CHECK (length(hash) = 64)
);
INSERT INTO event_chain_head (id, seq, hash) VALUES (true, 0, repeat('0', 64));

CREATE FUNCTION fleetdeck_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% are %', TG_ARGV[0], TG_ARGV[1];
END $$;

CREATE TRIGGER events_refuse_update BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION fleetdeck_refuse_change('events', 'append-only');
CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION fleetdeck_refuse_change('events', 'append-only');

CREATE TABLE signals (
  id         BIGSERIAL PRIMARY KEY,
  agent_id   TEXT NOT NULL REFERENCES agents (id),
  kind       TEXT NOT NULL CHECK (kind IN (
               'cancel', 'pause', 'resume', 'redirect', 'handoff_offered', 'handoff_accepted',
               'handoff_declined', 'handoff_withdrawn', 'blocker_raised', 'blocker_resolved',
               'claim_released', 'run_assigned', 'run_finished', 'lease_lost', 'notice')),
  run_id     TEXT,
  subject_id TEXT,
  message    TEXT NOT NULL,
  payload    TEXT NOT NULL DEFAULT '{}' CHECK (payload::jsonb IS NOT NULL),
  created_at BIGINT NOT NULL
);

