-- 012: retention. The audit log may lose a prefix, and only once that prefix is in archive
-- segments (docs/retention.md): event_archive_mark records the last archived seq and its hash,
-- and only events at or below it can be deleted. The mark only moves forward. Indexes let the
-- sweep find what retention removes without scanning the live tables.

CREATE TABLE event_archive_mark (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  through_seq  INTEGER NOT NULL CHECK (through_seq >= 0),
  through_hash TEXT NOT NULL CHECK (length(through_hash) = 64),
  updated_at   INTEGER NOT NULL
) STRICT;
INSERT INTO event_archive_mark (id, through_seq, through_hash, updated_at)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0);

CREATE TRIGGER event_archive_mark_forward BEFORE UPDATE ON event_archive_mark
WHEN NEW.through_seq < OLD.through_seq
BEGIN
  SELECT RAISE(ABORT, 'the archive mark only moves forward');
END;

CREATE TRIGGER event_archive_mark_kept BEFORE DELETE ON event_archive_mark
BEGIN
  SELECT RAISE(ABORT, 'the archive mark is kept');
END;

DROP TRIGGER events_refuse_delete;
CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
WHEN OLD.seq > (SELECT through_seq FROM event_archive_mark WHERE id = 1)
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: only events already in the archive may leave the log');
END;

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
