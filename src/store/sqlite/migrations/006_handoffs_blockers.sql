-- 006: handoffs (structured transfers of a run), blockers (questions only an operator can answer)
-- and the claim approvals granted through policy blockers.

CREATE TABLE handoffs (
  id              TEXT PRIMARY KEY CHECK (id LIKE 'hof\_%' ESCAPE '\'),
  run_id          TEXT NOT NULL REFERENCES runs (id),
  from_agent_id   TEXT NOT NULL REFERENCES agents (id),
  to_agent_id     TEXT REFERENCES agents (id),
  to_role         TEXT CHECK (to_role IS NULL OR length(to_role) BETWEEN 1 AND 64),
  summary         TEXT NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
  next_action     TEXT NOT NULL CHECK (length(next_action) BETWEEN 1 AND 4000),
  changed_files   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(changed_files) AND json_type(changed_files) = 'array'),
  evidence        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(evidence) AND json_type(evidence) = 'array'),
  failed_attempts TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(failed_attempts) AND json_type(failed_attempts) = 'array'),
  risks           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(risks) AND json_type(risks) = 'array'),
  open_questions  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(open_questions) AND json_type(open_questions) = 'array'),
  state           TEXT NOT NULL DEFAULT 'offered' CHECK (state IN ('offered', 'accepted', 'declined', 'withdrawn')),
  offered_epoch   INTEGER NOT NULL CHECK (offered_epoch >= 0),
  created_at      INTEGER NOT NULL,
  decided_at      INTEGER,
  decided_by      TEXT,
  reason          TEXT,
  -- to an agent or to a role, never both, never neither
  CHECK ((to_agent_id IS NULL) <> (to_role IS NULL)),
  CHECK ((state = 'offered') = (decided_at IS NULL)),
  CHECK ((state = 'offered') = (decided_by IS NULL))
) STRICT;

-- At most one open handoff per run: the second offer fails here even if two processes race.
CREATE UNIQUE INDEX handoffs_one_open_per_run ON handoffs (run_id) WHERE state = 'offered';
CREATE INDEX handoffs_by_run ON handoffs (run_id, created_at);
CREATE INDEX handoffs_open_by_age ON handoffs (created_at) WHERE state = 'offered';
CREATE INDEX handoffs_open_by_from ON handoffs (from_agent_id) WHERE state = 'offered';

CREATE TABLE blockers (
  id             TEXT PRIMARY KEY CHECK (id LIKE 'blk\_%' ESCAPE '\'),
  run_id         TEXT NOT NULL REFERENCES runs (id),
  agent_id       TEXT NOT NULL REFERENCES agents (id),
  raised_by      TEXT NOT NULL,
  origin         TEXT NOT NULL CHECK (origin IN ('agent', 'policy', 'escalation')),
  kind           TEXT NOT NULL CHECK (kind IN ('decision', 'approval', 'dependency', 'access', 'error')),
  question       TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 4000),
  options        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(options) AND json_type(options) = 'array'),
  context        TEXT,
  evidence       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(evidence) AND json_type(evidence) = 'array'),
  policy_rule    TEXT CHECK (policy_rule IS NULL OR policy_rule IN ('claims_need_approval', 'types_need_approval_before_complete')),
  policy_subject TEXT CHECK (policy_subject IS NULL OR json_valid(policy_subject)),
  state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved', 'obsolete')),
  decision       TEXT CHECK (decision IS NULL OR decision IN ('approve', 'deny', 'answer', 'redirect', 'reassign', 'pause', 'cancel')),
  resolution     TEXT,
  chosen_option  TEXT,
  reassigned_to  TEXT,
  resolved_by    TEXT,
  resolved_at    INTEGER,
  created_at     INTEGER NOT NULL,
  CHECK ((state = 'open') = (resolved_at IS NULL)),
  CHECK ((state = 'resolved') = (decision IS NOT NULL)),
  CHECK ((origin = 'policy') = (policy_rule IS NOT NULL))
) STRICT;

-- A blocked run waits on exactly one question.
CREATE UNIQUE INDEX blockers_one_open_per_run ON blockers (run_id) WHERE state = 'open';
CREATE INDEX blockers_by_run ON blockers (run_id, created_at);
CREATE INDEX blockers_open_by_age ON blockers (created_at) WHERE state = 'open';
CREATE INDEX blockers_policy_approved ON blockers (run_id, policy_rule) WHERE decision = 'approve';

-- What an approved claims_need_approval blocker granted: that agent may claim that scope.
CREATE TABLE policy_grants (
  id          INTEGER PRIMARY KEY,
  agent_id    TEXT NOT NULL REFERENCES agents (id),
  rule        TEXT NOT NULL CHECK (rule IN ('claims_need_approval')),
  subject     TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 2200),
  blocker_id  TEXT NOT NULL REFERENCES blockers (id),
  granted_at  INTEGER NOT NULL,
  UNIQUE (agent_id, rule, subject)
) STRICT;
