-- 010: console sign-in sessions in the database (they survive a restart and work on every replica),
-- and the indexes the console's event lists page through (family, everything but heartbeats; the exact
-- type uses events_by_type of 012).
-- Only the SHA-256 of a session id is stored: a copy of the database opens no session.

CREATE TABLE console_sessions (
  id_hash      TEXT PRIMARY KEY CHECK (length(id_hash) = 64),
  operator     TEXT NOT NULL CHECK (length(operator) BETWEEN 1 AND 200),
  token_id     TEXT,
  csrf         TEXT NOT NULL CHECK (length(csrf) BETWEEN 16 AND 128),
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  CHECK (last_seen_at >= created_at)
) STRICT;

CREATE INDEX console_sessions_by_last_seen ON console_sessions (last_seen_at);

-- Stale agents the operator forgot (they hold nothing): hidden from the console's lists until they
-- show a sign of life after forgotten_at. The agent row stays (events and runs refer to it).
CREATE TABLE console_forgotten_agents (
  agent_id     TEXT PRIMARY KEY REFERENCES agents (id),
  forgotten_at INTEGER NOT NULL,
  forgotten_by TEXT NOT NULL
) STRICT;

CREATE INDEX events_by_family ON events (substr(type, 1, instr(type, '.') - 1), seq);
CREATE INDEX events_without_heartbeats ON events (seq) WHERE type <> 'agent.heartbeat';
