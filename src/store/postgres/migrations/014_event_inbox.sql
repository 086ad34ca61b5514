-- 014: no fleet-wide lock on the commit path. A writing transaction no longer locks the chain head:
-- it inserts its events into event_inbox (no shared row; ids come from a sequence) together with
-- its COMMIT. Right after committing it calls fleetdeck_seal(), which moves every committed inbox
-- row into events — seq head+1…, chained hashes — under one advisory lock, so concurrent commits
-- are sealed in groups by whichever of them gets the lock first. events keeps every property it had:
-- gapless seq, one chain, append-only; a reader of events only ever sees sealed events, and seq N+1
-- is never visible before N (one sealer at a time; its commit is visible before its lock is
-- released). See docs/postgres.md "The audit chain".
CREATE TABLE event_inbox (
  id         BIGSERIAL PRIMARY KEY,
  at         BIGINT NOT NULL,
  actor      TEXT NOT NULL,
  type       TEXT NOT NULL,
  agent_id   TEXT,
  run_id     TEXT,
  subject_id TEXT,
  payload    TEXT NOT NULL
);

-- Appends one transaction's events (a JSON array of objects, in order) to the inbox.
CREATE FUNCTION fleetdeck_append(batch json) RETURNS void LANGUAGE sql AS $$
  INSERT INTO event_inbox (at, actor, type, agent_id, run_id, subject_id, payload)
  SELECT e.at, e.actor, e.type, e.agent_id, e.run_id, e.subject_id, e.payload
  FROM json_to_recordset(batch) AS e(at bigint, actor text, type text, agent_id text, run_id text, subject_id text, payload text, i bigint)
  ORDER BY e.i
$$;

-- eventHash of src/domain/event.ts: sha256 of JSON.stringify([prev_hash, seq, at, actor, type,
-- agent_id, run_id, subject_id, payload]). to_json(text) escapes exactly as JSON.stringify does
-- (", \, \b \f \n \r \t, other controls as \u00xx, nothing else); test/store/postgres/seal.test.ts
-- checks both agree on awkward strings.
CREATE FUNCTION fleetdeck_event_hash(prev text, seq bigint, at bigint, actor text, type text, agent_id text, run_id text, subject_id text, payload text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to('[' || to_json(prev)::text || ',' || seq::text || ',' || at::text || ',' || to_json(actor)::text || ','
    || to_json(type)::text || ',' || coalesce(to_json(agent_id)::text, 'null') || ',' || coalesce(to_json(run_id)::text, 'null') || ','
    || coalesce(to_json(subject_id)::text, 'null') || ',' || to_json(payload)::text || ']', 'UTF8')), 'hex')
$$;

-- The sealer. Returns the newest sealed seq after this call (NULL when the inbox was empty).
-- Never raises: it runs right after a COMMIT in the same round trip, and an error there must not
-- read as the commit having failed; events it could not seal stay in the inbox for the next call
-- (every replica also calls it on a timer).
CREATE FUNCTION fleetdeck_seal() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  head_seq bigint;
  head_hash text;
  r record;
  ids bigint[] := '{}';
  seqs bigint[] := '{}';
  prevs text[] := '{}';
  hashes text[] := '{}';
  h text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM event_inbox) THEN RETURN NULL; END IF;
  BEGIN
    PERFORM pg_advisory_xact_lock(7305164511204020);
    SELECT seq, hash INTO head_seq, head_hash FROM event_chain_head WHERE id;
    -- the chain is computed row by row; the rows are written in one statement each below
    FOR r IN SELECT * FROM event_inbox ORDER BY id LOOP
      head_seq := head_seq + 1;
      h := fleetdeck_event_hash(head_hash, head_seq, r.at, r.actor, r.type, r.agent_id, r.run_id, r.subject_id, r.payload);
      ids := ids || r.id;
      seqs := seqs || head_seq;
      prevs := prevs || head_hash;
      hashes := hashes || h;
      head_hash := h;
    END LOOP;
    IF cardinality(ids) > 0 THEN
      INSERT INTO events (seq, at, actor, type, agent_id, run_id, subject_id, payload, prev_hash, hash)
        SELECT c.seq, i.at, i.actor, i.type, i.agent_id, i.run_id, i.subject_id, i.payload, c.prev, c.hash
        FROM unnest(ids, seqs, prevs, hashes) AS c(id, seq, prev, hash) JOIN event_inbox i ON i.id = c.id
        ORDER BY c.seq;
      DELETE FROM event_inbox WHERE id = ANY(ids);
      UPDATE event_chain_head SET seq = head_seq, hash = head_hash WHERE id;
      PERFORM pg_notify('fleetdeck_events', head_seq::text);
    END IF;
    RETURN head_seq;
  EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'fleetdeck_seal: % (%)', SQLERRM, SQLSTATE;
    RETURN NULL;
  END;
END $$;
