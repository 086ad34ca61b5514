-- 007: signals are delivered at least once and never doubled (mirrors the SQLite 007). A signal is
-- handed to one connection at a time (delivered_to), acknowledged by that connection's next call
-- (acked_at), and handed again to another connection when the first never acknowledged it.

ALTER TABLE signals ADD COLUMN delivered_to TEXT;
ALTER TABLE signals ADD COLUMN delivered_at BIGINT;
ALTER TABLE signals ADD COLUMN deliveries INTEGER NOT NULL DEFAULT 0 CHECK (deliveries >= 0);
ALTER TABLE signals ADD COLUMN acked_at BIGINT;

UPDATE signals SET acked_at = created_at, deliveries = 1
  WHERE id <= (SELECT signal_cursor FROM agents WHERE agents.id = signals.agent_id);

CREATE INDEX signals_unacked ON signals (agent_id, id) WHERE acked_at IS NULL;
CREATE INDEX signals_by_delivery ON signals (delivered_to) WHERE acked_at IS NULL AND delivered_to IS NOT NULL;
