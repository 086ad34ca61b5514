-- 002: scope claims. A claim reserves a pattern of one kind in one workspace for one agent.
-- run_id deliberately has no foreign key: runs arrive in a later migration, and a claim may
-- outlive the bookkeeping of its run (it is released when the run ends).

CREATE TABLE claims (
  id             TEXT PRIMARY KEY CHECK (id LIKE 'clm\_%' ESCAPE '\'),
  workspace      TEXT NOT NULL CHECK (length(workspace) BETWEEN 1 AND 1024),
  kind           TEXT NOT NULL CHECK (kind IN ('path', 'test', 'resource')),
  -- normalised pattern
  pattern        TEXT NOT NULL CHECK (length(pattern) BETWEEN 1 AND 1024),
  -- the pattern's literal prefix ('' or ending with '/'): every name the pattern matches, plus
  -- '/', starts with it; candidates for a conflict are found through it (see claims_candidates)
  prefix         TEXT NOT NULL CHECK (prefix = '' OR substr(prefix, -1) = '/'),
  mode           TEXT NOT NULL CHECK (mode IN ('exclusive', 'shared')),
  agent_id       TEXT NOT NULL REFERENCES agents (id),
  run_id         TEXT,
  reason         TEXT,
  ttl_seconds    INTEGER NOT NULL CHECK (ttl_seconds > 0),
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  state          TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'released', 'expired')),
  released_at    INTEGER,
  release_reason TEXT,
  CHECK ((state = 'active') = (released_at IS NULL))
) STRICT;

-- A new pattern with prefix P can only overlap active claims whose prefix is an ancestor of P
-- (prefix IN ('', 'src/', 'src/api/')) or starts with P (a range scan): both use this index.
CREATE INDEX claims_candidates ON claims (workspace, kind, prefix) WHERE state = 'active';
CREATE INDEX claims_active_by_agent ON claims (agent_id) WHERE state = 'active';
CREATE INDEX claims_active_by_run ON claims (run_id) WHERE state = 'active' AND run_id IS NOT NULL;
CREATE INDEX claims_active_by_expiry ON claims (expires_at) WHERE state = 'active';
