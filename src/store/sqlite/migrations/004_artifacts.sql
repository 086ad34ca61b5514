-- 004: evidence. Content-addressed blobs (the same bytes stored once) and the artifacts that
-- attach them to runs. Small blobs keep their bytes here; large ones live in the data directory
-- (<dataDir>/blobs/ab/abcdef…), written and fsynced before the row that references them.

CREATE TABLE blobs (
  sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
  bytes      BLOB,
  size       INTEGER NOT NULL CHECK (size >= 0),
  stored     TEXT NOT NULL CHECK (stored IN ('inline', 'file')),
  created_at INTEGER NOT NULL,
  CHECK ((stored = 'inline') = (bytes IS NOT NULL)),
  CHECK (bytes IS NULL OR length(bytes) = size)
) STRICT;

CREATE TABLE artifacts (
  id         TEXT PRIMARY KEY CHECK (id LIKE 'art\_%' ESCAPE '\'),
  run_id     TEXT NOT NULL REFERENCES runs (id),
  agent_id   TEXT NOT NULL REFERENCES agents (id),
  kind       TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40 AND kind NOT GLOB '*[^a-z0-9._-]*' AND kind GLOB '[a-z]*'),
  name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
  media_type TEXT NOT NULL CHECK (length(media_type) BETWEEN 3 AND 128 AND instr(media_type, '/') > 1),
  sha256     TEXT NOT NULL REFERENCES blobs (sha256),
  size       INTEGER NOT NULL CHECK (size >= 0),
  created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX artifacts_by_run ON artifacts (run_id, created_at);
CREATE INDEX artifacts_by_blob ON artifacts (sha256);
CREATE INDEX artifacts_by_created ON artifacts (created_at);

-- Evidence is immutable once attached: what a result cited is what a reviewer reads.
CREATE TRIGGER blobs_refuse_update BEFORE UPDATE ON blobs
BEGIN
  SELECT RAISE(ABORT, 'blobs are immutable');
END;

CREATE TRIGGER artifacts_refuse_update BEFORE UPDATE ON artifacts
BEGIN
  SELECT RAISE(ABORT, 'artifacts are immutable');
END;
