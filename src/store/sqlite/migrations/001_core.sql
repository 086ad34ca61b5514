-- 001: agents, the append-only audit log, and the signals that reach agents.

CREATE TABLE agents (
  id                TEXT PRIMARY KEY CHECK (id LIKE 'agt\_%' ESCAPE '\'),
  name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
  role              TEXT NOT NULL CHECK (length(role) BETWEEN 1 AND 64),
  workspace         TEXT,
  capabilities      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(capabilities) AND json_type(capabilities) = 'array'),
  token_hash        TEXT NOT NULL,
  status            TEXT NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'working', 'waiting', 'blocked', 'done')),
  note              TEXT,
  progress          REAL CHECK (progress IS NULL OR (progress >= 0 AND progress <= 1)),
  current_run_id    TEXT,
  lease_seconds     INTEGER NOT NULL CHECK (lease_seconds > 0),
  registered_at     INTEGER NOT NULL,
  last_seen_at      INTEGER NOT NULL,
  last_heartbeat_at INTEGER,
  -- last_seen_at + lease: kept as a column so the sweep finds expired agents through an index
  expires_at        INTEGER NOT NULL,
  liveness          TEXT NOT NULL DEFAULT 'active' CHECK (liveness IN ('active', 'stale')),
  stale_since       INTEGER,
  paused            INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
  signal_cursor     INTEGER NOT NULL DEFAULT 0,
  tokens_in         INTEGER NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
  tokens_out        INTEGER NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
  cost_usd          REAL NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
  CHECK ((liveness = 'stale') = (stale_since IS NOT NULL))
) STRICT;

CREATE INDEX agents_by_expiry ON agents (expires_at) WHERE liveness = 'active';
CREATE INDEX agents_by_name ON agents (name, role);

CREATE TABLE events (
  seq        INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  actor      TEXT NOT NULL,
  type       TEXT NOT NULL,
  agent_id   TEXT,
  run_id     TEXT,
  subject_id TEXT,
  payload    TEXT NOT NULL CHECK (json_valid(payload)),
  prev_hash  TEXT NOT NULL CHECK (length(prev_hash) = 64),
  hash       TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
) STRICT;

CREATE INDEX events_by_agent ON events (agent_id, seq) WHERE agent_id IS NOT NULL;
CREATE INDEX events_by_run ON events (run_id, seq) WHERE run_id IS NOT NULL;
CREATE INDEX events_by_subject ON events (subject_id, seq) WHERE subject_id IS NOT NULL;

CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TABLE signals (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  agent_id   TEXT NOT NULL REFERENCES agents (id),
  kind       TEXT NOT NULL CHECK (kind IN (
               'cancel', 'pause', 'resume', 'redirect', 'handoff_offered', 'handoff_accepted',
               'handoff_declined', 'handoff_withdrawn', 'blocker_raised', 'blocker_resolved',
               'claim_released', 'run_assigned', 'run_finished', 'lease_lost', 'notice')),
  run_id     TEXT,
  subject_id TEXT,
  message    TEXT NOT NULL,
  payload    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
  created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX signals_by_agent ON signals (agent_id, id);
