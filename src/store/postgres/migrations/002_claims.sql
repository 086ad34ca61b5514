-- 002: scope claims (mirrors the SQLite 002). run_id has no foreign key, as in SQLite.
-- Conflicts are decided in the application (the exact glob check); PostgreSQL only stores the
-- claims. Deciding is serialized per workspace with a transaction-scoped advisory lock taken by
-- the repository before it reads candidates (see repos/claims.ts).

CREATE TABLE claims (
  id             TEXT PRIMARY KEY CHECK (id LIKE 'clm\_%'),
  seq            BIGSERIAL NOT NULL,
  workspace      TEXT NOT NULL CHECK (length(workspace) BETWEEN 1 AND 1024),
  kind           TEXT NOT NULL CHECK (kind IN ('path', 'test', 'resource')),
  pattern        TEXT NOT NULL CHECK (length(pattern) BETWEEN 1 AND 1024),
  -- the pattern's literal prefix ('' or ending with '/'), used to find conflict candidates
  prefix         TEXT COLLATE "C" NOT NULL CHECK (prefix = '' OR right(prefix, 1) = '/'),
  mode           TEXT NOT NULL CHECK (mode IN ('exclusive', 'shared')),
  agent_id       TEXT NOT NULL REFERENCES agents (id),
  run_id         TEXT,
  reason         TEXT,
  ttl_seconds    INTEGER NOT NULL CHECK (ttl_seconds > 0),
  created_at     BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL,
  state          TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'released', 'expired')),
  released_at    BIGINT,
  release_reason TEXT,
  CHECK ((state = 'active') = (released_at IS NULL))
);

-- prefix is COLLATE "C": the range scan [prefix, rangeEnd) compares code points, as SQLite does.
CREATE INDEX claims_candidates ON claims (workspace, kind, prefix) WHERE state = 'active';
CREATE INDEX claims_active_by_agent ON claims (agent_id) WHERE state = 'active';
CREATE INDEX claims_active_by_run ON claims (run_id) WHERE state = 'active' AND run_id IS NOT NULL;
CREATE INDEX claims_active_by_expiry ON claims (expires_at) WHERE state = 'active';
