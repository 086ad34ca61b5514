-- 012: retention. Mirrors src/store/sqlite/migrations/012_retention.sql: the audit log may lose a
-- prefix only once it is archived, and only at or below event_archive_mark (which only moves
-- forward). On PostgreSQL the archive segments live in the database (event_archive_segments), so
-- every replica on every host reads the same archive; SQLite keeps them as files beside the data.

CREATE TABLE event_archive_mark (
  id           BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
  through_seq  BIGINT NOT NULL CHECK (through_seq >= 0),
  through_hash TEXT NOT NULL CHECK (length(through_hash) = 64),
  updated_at   BIGINT NOT NULL
);
INSERT INTO event_archive_mark (id, through_seq, through_hash, updated_at) VALUES (true, 0, repeat('0', 64), 0);

CREATE FUNCTION fleetdeck_archive_mark_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'the archive mark is kept'; END IF;
  IF NEW.through_seq < OLD.through_seq THEN RAISE EXCEPTION 'the archive mark only moves forward'; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER event_archive_mark_forward BEFORE UPDATE OR DELETE ON event_archive_mark
  FOR EACH ROW EXECUTE FUNCTION fleetdeck_archive_mark_forward();

-- One gzip-compressed JSONL body per segment: the archived events with their hashes, oldest first.
CREATE TABLE event_archive_segments (
  first_seq       BIGINT PRIMARY KEY CHECK (first_seq > 0),
  last_seq        BIGINT NOT NULL CHECK (last_seq >= first_seq),
  events          INTEGER NOT NULL CHECK (events > 0),
  first_prev_hash TEXT NOT NULL CHECK (length(first_prev_hash) = 64),
  last_hash       TEXT NOT NULL CHECK (length(last_hash) = 64),
  first_at        BIGINT NOT NULL,
  last_at         BIGINT NOT NULL,
  body            BYTEA NOT NULL,
  created_at      BIGINT NOT NULL
);

CREATE FUNCTION fleetdeck_refuse_unarchived_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.seq <= (SELECT through_seq FROM event_archive_mark) THEN RETURN OLD; END IF;
  RAISE EXCEPTION 'events are append-only: only events already in the archive may leave the log';
END $$;
DROP TRIGGER events_refuse_update ON events;
CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
  FOR EACH ROW EXECUTE FUNCTION fleetdeck_refuse_change('events', 'append-only');
CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION fleetdeck_refuse_unarchived_delete();

CREATE INDEX events_by_time ON events (at);
CREATE INDEX events_by_type ON events (type, seq);
CREATE INDEX runs_finished ON runs (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX signals_acked ON signals (acked_at) WHERE acked_at IS NOT NULL;
CREATE INDEX access_tokens_revoked ON access_tokens (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX claims_ended ON claims (released_at) WHERE state <> 'active';
CREATE INDEX claims_by_run ON claims (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX signals_by_run ON signals (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX completion_outbox_by_run ON completion_outbox (run_id);
CREATE INDEX policy_grants_by_blocker ON policy_grants (blocker_id);
