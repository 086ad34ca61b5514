-- 013: figures kept as the state changes, so the overview, /metrics and `fleetdeck stats` read a
-- few counter rows instead of scanning every run and event ever written (docs/retention.md,
-- "Flat under history"). Triggers keep them in the same transaction as the change itself, on
-- every path that writes runs or events, and retention's deletions leave the totals alone (they
-- are Prometheus counters: they only grow). Backfilled from the rows present now.

-- how many runs are in each state now
CREATE TABLE run_state_counts (
  state TEXT PRIMARY KEY,
  n     INTEGER NOT NULL
) STRICT;

-- totals since the fleet began (only grow)
CREATE TABLE run_totals (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  retries        INTEGER NOT NULL,
  lease_expiries INTEGER NOT NULL,
  failures       INTEGER NOT NULL,
  tokens_in      INTEGER NOT NULL,
  tokens_out     INTEGER NOT NULL,
  cost_usd       REAL NOT NULL,
  processed      INTEGER NOT NULL,
  processed_ms   INTEGER NOT NULL
) STRICT;

-- processing times (taken → finished) of runs that finished, per bucket (not cumulative): a run
-- counts in the smallest bound at or above its time; le_ms = -1 is the overflow bucket
CREATE TABLE run_processing_buckets (
  le_ms INTEGER PRIMARY KEY,
  n     INTEGER NOT NULL
) STRICT;

-- audit events by type since the fleet began (archived ones included)
CREATE TABLE event_type_counts (
  type     TEXT PRIMARY KEY,
  n        INTEGER NOT NULL,
  last_seq INTEGER NOT NULL
) STRICT;

-- runs and usage by target (a role, or 'agent:<id>') since the fleet began
CREATE TABLE run_usage_by_role (
  role       TEXT PRIMARY KEY,
  runs       INTEGER NOT NULL,
  tokens_in  INTEGER NOT NULL,
  tokens_out INTEGER NOT NULL,
  cost_usd   REAL NOT NULL
) STRICT;

-- runs that ended in each hour (hour = finished_at / 3600000): the queue page's 24-hour charts
CREATE TABLE run_hourly (
  hour         INTEGER PRIMARY KEY,
  completed    INTEGER NOT NULL,
  failed       INTEGER NOT NULL,
  -- dead after at least one attempt (a run that expired untried is no failure of the work)
  dead_tried   INTEGER NOT NULL,
  processed    INTEGER NOT NULL,
  processed_ms INTEGER NOT NULL
) STRICT;

INSERT INTO run_hourly (hour, completed, failed, dead_tried, processed, processed_ms)
  SELECT finished_at / 3600000, sum(state = 'completed'), sum(state = 'failed'), sum(state = 'dead' AND attempts > 0),
    sum(state IN ('completed', 'failed') AND taken_at IS NOT NULL AND finished_at >= taken_at),
    coalesce(sum(CASE WHEN state IN ('completed', 'failed') AND taken_at IS NOT NULL AND finished_at >= taken_at THEN finished_at - taken_at END), 0)
  FROM runs WHERE finished_at IS NOT NULL AND state IN ('completed', 'failed', 'dead') GROUP BY 1;

INSERT INTO run_state_counts (state, n) SELECT state, count(*) FROM runs GROUP BY state;
INSERT INTO run_usage_by_role (role, runs, tokens_in, tokens_out, cost_usd)
  SELECT coalesce(to_role, 'agent:' || to_agent), count(*), sum(tokens_in), sum(tokens_out), sum(cost_usd) FROM runs GROUP BY 1;
INSERT INTO run_totals SELECT 1, coalesce(sum(retries), 0), coalesce(sum(lease_expiries), 0),
  coalesce(sum(CASE WHEN result_outcome = 'failed' THEN 1 ELSE 0 END), 0),
  coalesce(sum(tokens_in), 0), coalesce(sum(tokens_out), 0), coalesce(sum(cost_usd), 0),
  coalesce(sum(CASE WHEN state IN ('completed', 'failed') AND taken_at IS NOT NULL AND finished_at >= taken_at THEN 1 ELSE 0 END), 0),
  coalesce(sum(CASE WHEN state IN ('completed', 'failed') AND taken_at IS NOT NULL AND finished_at >= taken_at THEN finished_at - taken_at ELSE 0 END), 0)
  FROM runs;
INSERT INTO run_processing_buckets (le_ms, n) VALUES
  (10000, 0), (30000, 0), (60000, 0), (300000, 0), (600000, 0), (1800000, 0), (3600000, 0),
  (7200000, 0), (14400000, 0), (43200000, 0), (86400000, 0), (-1, 0);
UPDATE run_processing_buckets SET n = (SELECT count(*) FROM runs r
  WHERE r.state IN ('completed', 'failed') AND r.taken_at IS NOT NULL AND r.finished_at >= r.taken_at
    AND coalesce((SELECT min(b.le_ms) FROM run_processing_buckets b WHERE b.le_ms >= r.finished_at - r.taken_at), -1) = run_processing_buckets.le_ms);
INSERT INTO event_type_counts (type, n, last_seq) SELECT type, count(*), max(seq) FROM events GROUP BY type;

CREATE TRIGGER run_counts_insert AFTER INSERT ON runs
BEGIN
  INSERT INTO run_usage_by_role (role, runs, tokens_in, tokens_out, cost_usd)
    VALUES (coalesce(NEW.to_role, 'agent:' || NEW.to_agent), 1, NEW.tokens_in, NEW.tokens_out, NEW.cost_usd)
    ON CONFLICT (role) DO UPDATE SET runs = runs + 1, tokens_in = tokens_in + NEW.tokens_in,
      tokens_out = tokens_out + NEW.tokens_out, cost_usd = cost_usd + NEW.cost_usd;
  INSERT INTO run_state_counts (state, n) VALUES (NEW.state, 1) ON CONFLICT (state) DO UPDATE SET n = n + 1;
  UPDATE run_totals SET retries = retries + NEW.retries, lease_expiries = lease_expiries + NEW.lease_expiries,
    tokens_in = tokens_in + NEW.tokens_in, tokens_out = tokens_out + NEW.tokens_out, cost_usd = cost_usd + NEW.cost_usd
    WHERE id = 1;
END;

CREATE TRIGGER run_counts_state AFTER UPDATE OF state ON runs
WHEN NEW.state <> OLD.state
BEGIN
  UPDATE run_state_counts SET n = n - 1 WHERE state = OLD.state;
  INSERT INTO run_state_counts (state, n) VALUES (NEW.state, 1) ON CONFLICT (state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER run_counts_totals AFTER UPDATE OF retries, lease_expiries, tokens_in, tokens_out, cost_usd ON runs
WHEN NEW.retries <> OLD.retries OR NEW.lease_expiries <> OLD.lease_expiries OR NEW.tokens_in <> OLD.tokens_in
  OR NEW.tokens_out <> OLD.tokens_out OR NEW.cost_usd <> OLD.cost_usd
BEGIN
  UPDATE run_totals SET retries = retries + NEW.retries - OLD.retries, lease_expiries = lease_expiries + NEW.lease_expiries - OLD.lease_expiries,
    tokens_in = tokens_in + NEW.tokens_in - OLD.tokens_in, tokens_out = tokens_out + NEW.tokens_out - OLD.tokens_out,
    cost_usd = cost_usd + NEW.cost_usd - OLD.cost_usd
    WHERE id = 1;
  UPDATE run_usage_by_role SET tokens_in = tokens_in + NEW.tokens_in - OLD.tokens_in, tokens_out = tokens_out + NEW.tokens_out - OLD.tokens_out,
    cost_usd = cost_usd + NEW.cost_usd - OLD.cost_usd
    WHERE role = coalesce(OLD.to_role, 'agent:' || OLD.to_agent);
END;

CREATE TRIGGER run_counts_failure AFTER UPDATE OF result_outcome ON runs
WHEN NEW.result_outcome = 'failed' AND OLD.result_outcome IS NOT 'failed'
BEGIN
  UPDATE run_totals SET failures = failures + 1 WHERE id = 1;
END;

CREATE TRIGGER run_counts_processed AFTER UPDATE OF state ON runs
WHEN NEW.state IN ('completed', 'failed') AND OLD.state NOT IN ('completed', 'failed')
  AND NEW.taken_at IS NOT NULL AND NEW.finished_at >= NEW.taken_at
BEGIN
  UPDATE run_totals SET processed = processed + 1, processed_ms = processed_ms + (NEW.finished_at - NEW.taken_at) WHERE id = 1;
  UPDATE run_processing_buckets SET n = n + 1
    WHERE le_ms = coalesce((SELECT min(le_ms) FROM run_processing_buckets WHERE le_ms >= NEW.finished_at - NEW.taken_at), -1);
END;

CREATE TRIGGER run_counts_hourly AFTER UPDATE OF state ON runs
WHEN NEW.state IN ('completed', 'failed', 'dead') AND OLD.state NOT IN ('completed', 'failed', 'cancelled', 'dead') AND NEW.finished_at IS NOT NULL
BEGIN
  INSERT INTO run_hourly (hour, completed, failed, dead_tried, processed, processed_ms)
    VALUES (NEW.finished_at / 3600000, NEW.state = 'completed', NEW.state = 'failed', NEW.state = 'dead' AND NEW.attempts > 0,
      NEW.state <> 'dead' AND NEW.taken_at IS NOT NULL AND NEW.finished_at >= NEW.taken_at,
      CASE WHEN NEW.state <> 'dead' AND NEW.taken_at IS NOT NULL AND NEW.finished_at >= NEW.taken_at THEN NEW.finished_at - NEW.taken_at ELSE 0 END)
    ON CONFLICT (hour) DO UPDATE SET completed = completed + excluded.completed, failed = failed + excluded.failed,
      dead_tried = dead_tried + excluded.dead_tried, processed = processed + excluded.processed, processed_ms = processed_ms + excluded.processed_ms;
END;

CREATE TRIGGER run_counts_delete AFTER DELETE ON runs
BEGIN
  UPDATE run_state_counts SET n = n - 1 WHERE state = OLD.state;
END;

CREATE TRIGGER event_counts_insert AFTER INSERT ON events
BEGIN
  INSERT INTO event_type_counts (type, n, last_seq) VALUES (NEW.type, 1, NEW.seq)
    ON CONFLICT (type) DO UPDATE SET n = n + 1, last_seq = max(last_seq, NEW.seq);
END;
