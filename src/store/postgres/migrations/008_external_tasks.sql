-- 008: runs that came from another system (the agentq bridge), and the completion outbox
-- (mirrors the SQLite 008). completion_outbox rows are written in the transaction that ends the
-- run; a relay publishes each and stamps published_at.

CREATE TABLE external_tasks (
  run_id      TEXT PRIMARY KEY REFERENCES runs (id),
  origin      TEXT NOT NULL CHECK (origin ~ '^[a-z0-9_-]{1,32}$'),
  task_id     TEXT NOT NULL CHECK (length(task_id) BETWEEN 1 AND 128),
  sender      TEXT NOT NULL CHECK (length(sender) BETWEEN 1 AND 128),
  target      TEXT NOT NULL CHECK (length(target) BETWEEN 1 AND 128),
  reply_to    TEXT CHECK (reply_to IS NULL OR length(reply_to) BETWEEN 1 AND 255),
  context_ref TEXT,
  result_ref  TEXT,
  reported_by TEXT,
  created_at  BIGINT NOT NULL
);

-- a redelivered or re-sent task maps to the run it already made, even when two bridges race
CREATE UNIQUE INDEX external_tasks_by_task ON external_tasks (origin, task_id);

CREATE TABLE completion_outbox (
  id               BIGSERIAL PRIMARY KEY,
  run_id           TEXT NOT NULL REFERENCES runs (id),
  end_no           INTEGER NOT NULL CHECK (end_no >= 1),
  task_id          TEXT NOT NULL,
  reply_to         TEXT NOT NULL CHECK (length(reply_to) BETWEEN 1 AND 255),
  status           TEXT NOT NULL CHECK (status IN ('completed', 'failed', 'dead', 'cancelled')),
  payload          TEXT NOT NULL CHECK (payload::jsonb IS NOT NULL),
  created_at       BIGINT NOT NULL,
  claimed_by       TEXT,
  claim_expires_at BIGINT,
  next_attempt_at  BIGINT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error       TEXT,
  published_at     BIGINT,
  UNIQUE (run_id, end_no)
);

CREATE INDEX completion_outbox_pending ON completion_outbox (next_attempt_at, id) WHERE published_at IS NULL;
