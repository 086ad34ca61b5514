-- 006: handoffs, blockers and policy grants (mirrors the SQLite 006).

CREATE TABLE handoffs (
  id              TEXT PRIMARY KEY CHECK (id LIKE 'hof\_%'),
  seq             BIGSERIAL NOT NULL,
  run_id          TEXT NOT NULL REFERENCES runs (id),
  from_agent_id   TEXT NOT NULL REFERENCES agents (id),
  to_agent_id     TEXT REFERENCES agents (id),
  to_role         TEXT CHECK (to_role IS NULL OR length(to_role) BETWEEN 1 AND 64),
  summary         TEXT NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
  next_action     TEXT NOT NULL CHECK (length(next_action) BETWEEN 1 AND 4000),
  changed_files   TEXT NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(changed_files::jsonb) = 'array'),
  evidence        TEXT NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(evidence::jsonb) = 'array'),
  failed_attempts TEXT NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(failed_attempts::jsonb) = 'array'),
  risks           TEXT NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(risks::jsonb) = 'array'),
  open_questions  TEXT NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(open_questions::jsonb) = 'array'),
  state           TEXT NOT NULL DEFAULT 'offered' CHECK (state IN ('offered', 'accepted', 'declined', 'withdrawn')),
  offered_epoch   INTEGER NOT NULL CHECK (offered_epoch >= 0),
  created_at      BIGINT NOT NULL,
  decided_at      BIGINT,
  decided_by      TEXT,
  reason          TEXT,
  CHECK ((to_agent_id IS NULL) <> (to_role IS NULL)),
  CHECK ((state = 'offered') = (decided_at IS NULL)),
  CHECK ((state = 'offered') = (decided_by IS NULL))
);

-- At most one open handoff per run, even when two replicas race.
CREATE UNIQUE INDEX handoffs_one_open_per_run ON handoffs (run_id) WHERE state = 'offered';
CREATE INDEX handoffs_by_run ON handoffs (run_id, created_at, seq);
CREATE INDEX handoffs_open_by_age ON handoffs (created_at) WHERE state = 'offered';
CREATE INDEX handoffs_open_by_from ON handoffs (from_agent_id) WHERE state = 'offered';

CREATE TABLE blockers (
  id             TEXT PRIMARY KEY CHECK (id LIKE 'blk\_%'),
  seq            BIGSERIAL NOT NULL,
  run_id         TEXT NOT NULL REFERENCES runs (id),
  agent_id       TEXT NOT NULL REFERENCES agents (id),
  raised_by      TEXT NOT NULL,
  origin         TEXT NOT NULL CHECK (origin IN ('agent', 'policy', 'escalation')),
  kind           TEXT NOT NULL CHECK (kind IN ('decision', 'approval', 'dependency', 'access', 'error')),
  question       TEXT NOT NULL CHECK (length(question) BETWEEN 1 AND 4000),
  options        TEXT NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(options::jsonb) = 'array'),
  context        TEXT,
  evidence       TEXT NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(evidence::jsonb) = 'array'),
  policy_rule    TEXT CHECK (policy_rule IS NULL OR policy_rule IN ('claims_need_approval', 'types_need_approval_before_complete')),
  policy_subject TEXT CHECK (policy_subject IS NULL OR policy_subject::jsonb IS NOT NULL),
  state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved', 'obsolete')),
  decision       TEXT CHECK (decision IS NULL OR decision IN ('approve', 'deny', 'answer', 'redirect', 'reassign', 'pause', 'cancel')),
  resolution     TEXT,
  chosen_option  TEXT,
  reassigned_to  TEXT,
  resolved_by    TEXT,
  resolved_at    BIGINT,
  created_at     BIGINT NOT NULL,
  CHECK ((state = 'open') = (resolved_at IS NULL)),
  CHECK ((state = 'resolved') = (decision IS NOT NULL)),
  CHECK ((origin = 'policy') = (policy_rule IS NOT NULL))
);

CREATE UNIQUE INDEX blockers_one_open_per_run ON blockers (run_id) WHERE state = 'open';
CREATE INDEX blockers_by_run ON blockers (run_id, created_at, seq);
CREATE INDEX blockers_open_by_age ON blockers (created_at) WHERE state = 'open';
CREATE INDEX blockers_policy_approved ON blockers (run_id, policy_rule) WHERE decision = 'approve';

CREATE TABLE policy_grants (
  id          BIGSERIAL PRIMARY KEY,
  agent_id    TEXT NOT NULL REFERENCES agents (id),
  rule        TEXT NOT NULL CHECK (rule IN ('claims_need_approval')),
  subject     TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 2200),
  blocker_id  TEXT NOT NULL REFERENCES blockers (id),
  granted_at  BIGINT NOT NULL,
  UNIQUE (agent_id, rule, subject)
);
