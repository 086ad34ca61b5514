-- 005: bearer tokens for the HTTP transport (mirrors the SQLite 005). Only the SHA-256 is stored.

CREATE TABLE access_tokens (
  id           TEXT PRIMARY KEY CHECK (id LIKE 'tok\_%'),
  kind         TEXT NOT NULL CHECK (kind IN ('agent', 'operator')),
  agent_id     TEXT REFERENCES agents (id),
  label        TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 128),
  token_hash   TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
  created_at   BIGINT NOT NULL,
  revoked_at   BIGINT,
  last_used_at BIGINT,
  CHECK ((kind = 'agent') = (agent_id IS NOT NULL)),
  CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);

CREATE INDEX access_tokens_by_agent ON access_tokens (agent_id) WHERE agent_id IS NOT NULL;
CREATE INDEX agents_by_token_hash ON agents (token_hash);
