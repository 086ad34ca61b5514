-- 005: bearer tokens for the HTTP transport. A token names an agent or an operator identity; only
-- its SHA-256 is stored. Revocation keeps the row (and its audit trail) and sets revoked_at.

CREATE TABLE access_tokens (
  id           TEXT PRIMARY KEY CHECK (id LIKE 'tok\_%' ESCAPE '\'),
  kind         TEXT NOT NULL CHECK (kind IN ('agent', 'operator')),
  agent_id     TEXT REFERENCES agents (id),
  label        TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 128),
  token_hash   TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER,
  last_used_at INTEGER,
  CHECK ((kind = 'agent') = (agent_id IS NOT NULL)),
  CHECK (revoked_at IS NULL OR revoked_at >= created_at)
) STRICT;

CREATE INDEX access_tokens_by_agent ON access_tokens (agent_id) WHERE agent_id IS NOT NULL;

-- An agent's registration token is also accepted as its bearer token: look it up by hash.
CREATE INDEX agents_by_token_hash ON agents (token_hash);
