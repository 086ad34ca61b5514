-- 008: runs that came from another system (the agentq bridge), and the completion outbox.
-- external_tasks links a run to the task id it had outside (its origin system's id), with what is
-- needed to answer: where the completion goes (reply_to) and who sent it. completion_outbox holds
-- one row per end of such a run, written in the same transaction as the run's finishing state, so
-- a completion can never be lost; a relay publishes it and stamps published_at.

CREATE TABLE external_tasks (
  run_id      TEXT PRIMARY KEY REFERENCES runs (id),
  origin      TEXT NOT NULL CHECK (length(origin) BETWEEN 1 AND 32 AND origin NOT GLOB '*[^a-z0-9_-]*'),
  task_id     TEXT NOT NULL CHECK (length(task_id) BETWEEN 1 AND 128),
  sender      TEXT NOT NULL CHECK (length(sender) BETWEEN 1 AND 128),
  target      TEXT NOT NULL CHECK (length(target) BETWEEN 1 AND 128),
  reply_to    TEXT CHECK (reply_to IS NULL OR length(reply_to) BETWEEN 1 AND 255),
  context_ref TEXT,
  -- a result file named by `agentq complete --result-file`, reported as the completion's result_ref
  result_ref  TEXT,
  reported_by TEXT,
  created_at  INTEGER NOT NULL
) STRICT;

-- a redelivered or re-sent task maps to the run it already made
CREATE UNIQUE INDEX external_tasks_by_task ON external_tasks (origin, task_id);

CREATE TABLE completion_outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id          TEXT NOT NULL REFERENCES runs (id),
  -- which end of the run (1, 2, … when an operator requeued it): one completion per end, never two.
  -- Not the ending event's seq: PostgreSQL assigns seqs only at commit.
  end_no          INTEGER NOT NULL CHECK (end_no >= 1),
  task_id         TEXT NOT NULL,
  reply_to        TEXT NOT NULL CHECK (length(reply_to) BETWEEN 1 AND 255),
  status          TEXT NOT NULL CHECK (status IN ('completed', 'failed', 'dead', 'cancelled')),
  payload         TEXT NOT NULL CHECK (json_valid(payload)),
  created_at      INTEGER NOT NULL,
  -- a relay holds a row while publishing it; a crashed relay's hold lapses at claim_expires_at
  claimed_by      TEXT,
  claim_expires_at INTEGER,
  next_attempt_at INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error      TEXT,
  published_at    INTEGER,
  UNIQUE (run_id, end_no)
) STRICT;

CREATE INDEX completion_outbox_pending ON completion_outbox (next_attempt_at, id) WHERE published_at IS NULL;
