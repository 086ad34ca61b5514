-- 010: console sign-in sessions and the console's event-list indexes (mirrors the SQLite 010).

CREATE TABLE console_sessions (
  id_hash      TEXT PRIMARY KEY CHECK (length(id_hash) = 64),
  operator     TEXT NOT NULL CHECK (length(operator) BETWEEN 1 AND 200),
  token_id     TEXT,
  csrf         TEXT NOT NULL CHECK (length(csrf) BETWEEN 16 AND 128),
  created_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  CHECK (last_seen_at >= created_at)
);

CREATE INDEX console_sessions_by_last_seen ON console_sessions (last_seen_at);

-- Stale agents the operator forgot (they hold nothing): hidden from the console's lists until they
-- show a sign of life after forgotten_at. The agent row stays (events and runs refer to it).
CREATE TABLE console_forgotten_agents (
  agent_id     TEXT PRIMARY KEY REFERENCES agents (id),
  forgotten_at BIGINT NOT NULL,
  forgotten_by TEXT NOT NULL
);

CREATE INDEX events_by_family ON events (split_part(type, '.', 1), seq);
CREATE INDEX events_without_heartbeats ON events (seq) WHERE type <> 'agent.heartbeat';
