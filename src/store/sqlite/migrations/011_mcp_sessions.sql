-- 011: MCP sessions of the HTTP transport live in the database (SPEC §6), so that any replica
-- serves any request of a session and a replica's death costs its clients no new initialize.
-- Stream events back the SDK's event store: a client resumes an SSE stream on another replica
-- with Last-Event-ID. Rows are reaped when a session idles out; events also age out.

CREATE TABLE mcp_sessions (
  id                TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
  identity          TEXT NOT NULL CHECK (length(identity) BETWEEN 1 AND 400),
  protocol_version  TEXT NOT NULL CHECK (length(protocol_version) BETWEEN 1 AND 32),
  initialize_params TEXT NOT NULL CHECK (json_valid(initialize_params)),
  created_at        INTEGER NOT NULL,
  last_seen_at      INTEGER NOT NULL CHECK (last_seen_at >= created_at)
) STRICT;

CREATE INDEX mcp_sessions_by_identity ON mcp_sessions (identity, last_seen_at);
CREATE INDEX mcp_sessions_by_last_seen ON mcp_sessions (last_seen_at);

CREATE TABLE mcp_session_subscriptions (
  session_id TEXT NOT NULL,
  uri        TEXT NOT NULL CHECK (length(uri) BETWEEN 1 AND 2048),
  PRIMARY KEY (session_id, uri)
) STRICT, WITHOUT ROWID;

-- No foreign key: events are written in batches after the fact, and a batch must not fail because
-- its session ended meanwhile (the reaper removes what is left).
CREATE TABLE mcp_stream_events (
  session_id TEXT NOT NULL,
  stream_id  TEXT NOT NULL CHECK (length(stream_id) BETWEEN 1 AND 128),
  event_key  TEXT NOT NULL CHECK (length(event_key) BETWEEN 1 AND 64),
  message    TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (session_id, stream_id, event_key)
) STRICT, WITHOUT ROWID;

CREATE INDEX mcp_stream_events_by_age ON mcp_stream_events (created_at);
