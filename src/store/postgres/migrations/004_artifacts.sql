-- 004: evidence (mirrors the SQLite 004). Content-addressed blobs and the artifacts that attach
-- them to runs. On PostgreSQL every blob is stored inline (bytea): replicas on different hosts
-- share no data directory, so 'file' blobs would be unreadable elsewhere.

CREATE TABLE blobs (
  sha256     TEXT PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes      BYTEA,
  size       BIGINT NOT NULL CHECK (size >= 0),
  stored     TEXT NOT NULL CHECK (stored IN ('inline', 'file')),
  created_at BIGINT NOT NULL,
  CHECK ((stored = 'inline') = (bytes IS NOT NULL)),
  CHECK (bytes IS NULL OR octet_length(bytes) = size)
);

CREATE TABLE artifacts (
  id         TEXT PRIMARY KEY CHECK (id LIKE 'art\_%'),
  seq        BIGSERIAL NOT NULL,
  run_id     TEXT NOT NULL REFERENCES runs (id),
  agent_id   TEXT NOT NULL REFERENCES agents (id),
  kind       TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40 AND kind ~ '^[a-z][a-z0-9._-]*$'),
  name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128),
  media_type TEXT NOT NULL CHECK (length(media_type) BETWEEN 3 AND 128 AND strpos(media_type, '/') > 1),
  sha256     TEXT NOT NULL REFERENCES blobs (sha256),
  size       BIGINT NOT NULL CHECK (size >= 0),
  created_at BIGINT NOT NULL
);

CREATE INDEX artifacts_by_run ON artifacts (run_id, created_at, seq);
CREATE INDEX artifacts_by_blob ON artifacts (sha256);
CREATE INDEX artifacts_by_created ON artifacts (created_at, seq);

-- Evidence is immutable once attached: what a result cited is what a reviewer reads.
CREATE TRIGGER blobs_refuse_update BEFORE UPDATE ON blobs
  FOR EACH ROW EXECUTE FUNCTION fleetdeck_refuse_change('blobs', 'immutable');
CREATE TRIGGER artifacts_refuse_update BEFORE UPDATE ON artifacts
  FOR EACH ROW EXECUTE FUNCTION fleetdeck_refuse_change('artifacts', 'immutable');
