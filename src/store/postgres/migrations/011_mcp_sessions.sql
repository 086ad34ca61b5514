-- 011: MCP sessions of the HTTP transport live in the database (mirrors the SQLite 011): any
-- replica serves any request of a session; stream events back the SDK's event store.

CREATE TABLE mcp_sessions (
  id                TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
  identity          TEXT NOT NULL CHECK (length(identity) BETWEEN 1 AND 400),
  protocol_version  TEXT NOT NULL CHECK (length(protocol_version) BETWEEN 1 AND 32),
  initialize_params TEXT NOT NULL,
  created_at        BIGINT NOT NULL,
  last_seen_at      BIGINT NOT NULL CHECK (last_seen_at >= created_at)
);

CREATE INDEX mcp_sessions_by_identity ON mcp_sessions (identity, last_seen_at);
CREATE INDEX mcp_sessions_by_last_seen ON mcp_sessions (last_seen_at);

CREATE TABLE mcp_session_subscriptions (
  session_id TEXT NOT NULL,
  uri        TEXT NOT NULL CHECK (length(uri) BETWEEN 1 AND 2048),
  PRIMARY KEY (session_id, uri)
);

CREATE TABLE mcp_stream_events (
  session_id TEXT NOT NULL,
  stream_id  TEXT NOT NULL CHECK (length(stream_id) BETWEEN 1 AND 128),
  event_key  TEXT COLLATE "C" NOT NULL CHECK (length(event_key) BETWEEN 1 AND 64),
  message    TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (session_id, stream_id, event_key)
);

CREATE INDEX mcp_stream_events_by_age ON mcp_stream_events (created_at);
