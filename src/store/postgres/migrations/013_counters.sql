-- 013: figures kept as the state changes (mirrors src/store/sqlite/migrations/013_counters.sql).
-- Each counter is split over 16 shard rows, picked from the run id or the event seq: concurrent
-- transactions on several replicas update different rows instead of queuing on one, and a read
-- sums the shards (16 rows).

CREATE TABLE run_state_counts (
  shard SMALLINT NOT NULL,
  state TEXT NOT NULL,
  n     BIGINT NOT NULL,
  PRIMARY KEY (state, shard)
);

CREATE TABLE run_totals (
  shard          SMALLINT PRIMARY KEY,
  retries        BIGINT NOT NULL DEFAULT 0,
  lease_expiries BIGINT NOT NULL DEFAULT 0,
  failures       BIGINT NOT NULL DEFAULT 0,
  tokens_in      BIGINT NOT NULL DEFAULT 0,
  tokens_out     BIGINT NOT NULL DEFAULT 0,
  cost_usd       DOUBLE PRECISION NOT NULL DEFAULT 0,
  processed      BIGINT NOT NULL DEFAULT 0,
  processed_ms   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE run_processing_buckets (
  shard SMALLINT NOT NULL,
  le_ms BIGINT NOT NULL,
  n     BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (le_ms, shard)
);

CREATE TABLE event_type_counts (
  shard    SMALLINT NOT NULL,
  type     TEXT NOT NULL,
  n        BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  PRIMARY KEY (type, shard)
);

CREATE TABLE run_usage_by_role (
  shard      SMALLINT NOT NULL,
  role       TEXT NOT NULL,
  runs       BIGINT NOT NULL,
  tokens_in  BIGINT NOT NULL,
  tokens_out BIGINT NOT NULL,
  cost_usd   DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (role, shard)
);

CREATE TABLE run_hourly (
  hour         BIGINT NOT NULL,
  shard        SMALLINT NOT NULL,
  completed    BIGINT NOT NULL,
  failed       BIGINT NOT NULL,
  dead_tried   BIGINT NOT NULL,
  processed    BIGINT NOT NULL,
  processed_ms BIGINT NOT NULL,
  PRIMARY KEY (hour, shard)
);

INSERT INTO run_totals (shard) SELECT generate_series(0, 15);
INSERT INTO run_processing_buckets (shard, le_ms)
  SELECT s, b FROM generate_series(0, 15) s,
    unnest(ARRAY[10000, 30000, 60000, 300000, 600000, 1800000, 3600000, 7200000, 14400000, 43200000, 86400000, -1]::bigint[]) b;

CREATE FUNCTION fleetdeck_run_shard(id TEXT) RETURNS SMALLINT LANGUAGE sql IMMUTABLE AS $$ SELECT (hashtext(id) & 15)::smallint $$;
CREATE FUNCTION fleetdeck_processing_bucket(ms BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce((SELECT min(b) FROM unnest(ARRAY[10000, 30000, 60000, 300000, 600000, 1800000, 3600000, 7200000, 14400000, 43200000, 86400000]::bigint[]) b WHERE b >= ms), -1)
$$;

-- backfill
INSERT INTO run_state_counts (shard, state, n) SELECT fleetdeck_run_shard(id), state, count(*) FROM runs GROUP BY 1, 2;
UPDATE run_totals t SET retries = s.retries, lease_expiries = s.lease_expiries, failures = s.failures, tokens_in = s.tokens_in,
    tokens_out = s.tokens_out, cost_usd = s.cost_usd, processed = s.processed, processed_ms = s.processed_ms
  FROM (SELECT fleetdeck_run_shard(id) AS shard, sum(retries) AS retries, sum(lease_expiries) AS lease_expiries,
          count(*) FILTER (WHERE result_outcome = 'failed') AS failures, sum(tokens_in) AS tokens_in, sum(tokens_out) AS tokens_out,
          sum(cost_usd) AS cost_usd,
          count(*) FILTER (WHERE state IN ('completed', 'failed') AND taken_at IS NOT NULL AND finished_at >= taken_at) AS processed,
          coalesce(sum(finished_at - taken_at) FILTER (WHERE state IN ('completed', 'failed') AND taken_at IS NOT NULL AND finished_at >= taken_at), 0) AS processed_ms
        FROM runs GROUP BY 1) s
  WHERE t.shard = s.shard;
UPDATE run_processing_buckets b SET n = s.n
  FROM (SELECT fleetdeck_run_shard(id) AS shard, fleetdeck_processing_bucket(finished_at - taken_at) AS le_ms, count(*) AS n FROM runs
        WHERE state IN ('completed', 'failed') AND taken_at IS NOT NULL AND finished_at >= taken_at GROUP BY 1, 2) s
  WHERE b.shard = s.shard AND b.le_ms = s.le_ms;
INSERT INTO run_usage_by_role (shard, role, runs, tokens_in, tokens_out, cost_usd)
  SELECT fleetdeck_run_shard(id), coalesce(to_role, 'agent:' || to_agent), count(*), sum(tokens_in), sum(tokens_out), sum(cost_usd) FROM runs GROUP BY 1, 2;
INSERT INTO run_hourly (hour, shard, completed, failed, dead_tried, processed, processed_ms)
  SELECT finished_at / 3600000, fleetdeck_run_shard(id), count(*) FILTER (WHERE state = 'completed'), count(*) FILTER (WHERE state = 'failed'),
    count(*) FILTER (WHERE state = 'dead' AND attempts > 0),
    count(*) FILTER (WHERE state IN ('completed', 'failed') AND taken_at IS NOT NULL AND finished_at >= taken_at),
    coalesce(sum(finished_at - taken_at) FILTER (WHERE state IN ('completed', 'failed') AND taken_at IS NOT NULL AND finished_at >= taken_at), 0)
  FROM runs WHERE finished_at IS NOT NULL AND state IN ('completed', 'failed', 'dead') GROUP BY 1, 2;
INSERT INTO event_type_counts (shard, type, n, last_seq) SELECT (seq % 16)::smallint, type, count(*), max(seq) FROM events GROUP BY 1, 2;

CREATE FUNCTION fleetdeck_count_runs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sh SMALLINT;
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE run_state_counts SET n = n - 1 WHERE state = OLD.state AND shard = fleetdeck_run_shard(OLD.id);
    RETURN OLD;
  END IF;
  sh := fleetdeck_run_shard(NEW.id);
  IF TG_OP = 'INSERT' THEN
    INSERT INTO run_state_counts (shard, state, n) VALUES (sh, NEW.state, 1) ON CONFLICT (state, shard) DO UPDATE SET n = run_state_counts.n + 1;
    INSERT INTO run_usage_by_role (shard, role, runs, tokens_in, tokens_out, cost_usd)
      VALUES (sh, coalesce(NEW.to_role, 'agent:' || NEW.to_agent), 1, NEW.tokens_in, NEW.tokens_out, NEW.cost_usd)
      ON CONFLICT (role, shard) DO UPDATE SET runs = run_usage_by_role.runs + 1, tokens_in = run_usage_by_role.tokens_in + NEW.tokens_in,
        tokens_out = run_usage_by_role.tokens_out + NEW.tokens_out, cost_usd = run_usage_by_role.cost_usd + NEW.cost_usd;
    IF NEW.retries <> 0 OR NEW.lease_expiries <> 0 OR NEW.tokens_in <> 0 OR NEW.tokens_out <> 0 OR NEW.cost_usd <> 0 THEN
      UPDATE run_totals SET retries = retries + NEW.retries, lease_expiries = lease_expiries + NEW.lease_expiries,
        tokens_in = tokens_in + NEW.tokens_in, tokens_out = tokens_out + NEW.tokens_out, cost_usd = cost_usd + NEW.cost_usd WHERE shard = sh;
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.state <> OLD.state THEN
    UPDATE run_state_counts SET n = n - 1 WHERE state = OLD.state AND shard = sh;
    INSERT INTO run_state_counts (shard, state, n) VALUES (sh, NEW.state, 1) ON CONFLICT (state, shard) DO UPDATE SET n = run_state_counts.n + 1;
    IF NEW.state IN ('completed', 'failed', 'dead') AND OLD.state NOT IN ('completed', 'failed', 'cancelled', 'dead') AND NEW.finished_at IS NOT NULL THEN
      INSERT INTO run_hourly AS h (hour, shard, completed, failed, dead_tried, processed, processed_ms)
        VALUES (NEW.finished_at / 3600000, sh, (NEW.state = 'completed')::int, (NEW.state = 'failed')::int, (NEW.state = 'dead' AND NEW.attempts > 0)::int,
          (NEW.state <> 'dead' AND NEW.taken_at IS NOT NULL AND NEW.finished_at >= NEW.taken_at)::int,
          CASE WHEN NEW.state <> 'dead' AND NEW.taken_at IS NOT NULL AND NEW.finished_at >= NEW.taken_at THEN NEW.finished_at - NEW.taken_at ELSE 0 END)
        ON CONFLICT (hour, shard) DO UPDATE SET completed = h.completed + excluded.completed, failed = h.failed + excluded.failed,
          dead_tried = h.dead_tried + excluded.dead_tried, processed = h.processed + excluded.processed, processed_ms = h.processed_ms + excluded.processed_ms;
    END IF;
    IF NEW.state IN ('completed', 'failed') AND OLD.state NOT IN ('completed', 'failed') AND NEW.taken_at IS NOT NULL AND NEW.finished_at >= NEW.taken_at THEN
      UPDATE run_totals SET processed = processed + 1, processed_ms = processed_ms + (NEW.finished_at - NEW.taken_at) WHERE shard = sh;
      UPDATE run_processing_buckets SET n = n + 1 WHERE shard = sh AND le_ms = fleetdeck_processing_bucket(NEW.finished_at - NEW.taken_at);
    END IF;
  END IF;
  IF NEW.retries <> OLD.retries OR NEW.lease_expiries <> OLD.lease_expiries OR NEW.tokens_in <> OLD.tokens_in
     OR NEW.tokens_out <> OLD.tokens_out OR NEW.cost_usd <> OLD.cost_usd
     OR (NEW.result_outcome = 'failed' AND OLD.result_outcome IS DISTINCT FROM 'failed') THEN
    UPDATE run_totals SET retries = retries + NEW.retries - OLD.retries, lease_expiries = lease_expiries + NEW.lease_expiries - OLD.lease_expiries,
      tokens_in = tokens_in + NEW.tokens_in - OLD.tokens_in, tokens_out = tokens_out + NEW.tokens_out - OLD.tokens_out,
      cost_usd = cost_usd + NEW.cost_usd - OLD.cost_usd,
      failures = failures + CASE WHEN NEW.result_outcome = 'failed' AND OLD.result_outcome IS DISTINCT FROM 'failed' THEN 1 ELSE 0 END
      WHERE shard = sh;
    IF NEW.tokens_in <> OLD.tokens_in OR NEW.tokens_out <> OLD.tokens_out OR NEW.cost_usd <> OLD.cost_usd THEN
      UPDATE run_usage_by_role SET tokens_in = tokens_in + NEW.tokens_in - OLD.tokens_in, tokens_out = tokens_out + NEW.tokens_out - OLD.tokens_out,
        cost_usd = cost_usd + NEW.cost_usd - OLD.cost_usd
        WHERE shard = sh AND role = coalesce(OLD.to_role, 'agent:' || OLD.to_agent);
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER runs_counted AFTER INSERT OR UPDATE OR DELETE ON runs FOR EACH ROW EXECUTE FUNCTION fleetdeck_count_runs();

CREATE FUNCTION fleetdeck_count_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_type_counts (shard, type, n, last_seq) VALUES ((NEW.seq % 16)::smallint, NEW.type, 1, NEW.seq)
    ON CONFLICT (type, shard) DO UPDATE SET n = event_type_counts.n + 1, last_seq = greatest(event_type_counts.last_seq, NEW.seq);
  RETURN NEW;
END $$;
CREATE TRIGGER events_counted AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION fleetdeck_count_events();
