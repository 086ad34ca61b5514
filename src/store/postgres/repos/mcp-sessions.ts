import type { McpSessionRepo, McpStreamEvent, NewMcpSession } from '../../port/mcp-sessions.js';
import { toMcpSession, toMcpStreamEvent, type McpSessionRow, type McpStreamEventRow } from '../../rows/mcp-sessions.js';
import type { PgSession } from '../session.js';
import { sql } from '../statement.js';

const COLUMNS = 'id, identity, protocol_version, initialize_params, created_at, last_seen_at';

const INSERT = sql(`INSERT INTO mcp_sessions (id, identity, protocol_version, initialize_params, created_at, last_seen_at)
  VALUES ($1, $2, $3, $4, $5, $5)`);
const GET = sql(`SELECT ${COLUMNS} FROM mcp_sessions WHERE id = $1`);
const TOUCH = sql('UPDATE mcp_sessions SET last_seen_at = greatest(last_seen_at, $2) WHERE id = $1');
// one statement: the session with its subscriptions and events
const DELETE = sql(`WITH s AS (DELETE FROM mcp_session_subscriptions WHERE session_id = $1),
  e AS (DELETE FROM mcp_stream_events WHERE session_id = $1)
  DELETE FROM mcp_sessions WHERE id = $1`);
const COUNT = sql('SELECT count(*) AS n FROM mcp_sessions');
const SURPLUS = sql('SELECT id FROM mcp_sessions WHERE identity = $1 ORDER BY last_seen_at DESC, id DESC OFFSET $2');
const IDLE = sql('SELECT id FROM mcp_sessions WHERE last_seen_at < $1 ORDER BY last_seen_at, id LIMIT $2');
const SUBSCRIBE = sql('INSERT INTO mcp_session_subscriptions (session_id, uri) VALUES ($1, $2) ON CONFLICT DO NOTHING');
const UNSUBSCRIBE = sql('DELETE FROM mcp_session_subscriptions WHERE session_id = $1 AND uri = $2');
const SUBSCRIPTIONS = sql('SELECT uri FROM mcp_session_subscriptions WHERE session_id = $1 ORDER BY uri');
// a batch in one round trip
const APPEND = sql(`INSERT INTO mcp_stream_events (session_id, stream_id, event_key, message, created_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) ON CONFLICT DO NOTHING`);
const AFTER = sql(`SELECT session_id, stream_id, event_key, message, created_at FROM mcp_stream_events
  WHERE session_id = $1 AND stream_id = $2 AND event_key > $3 ORDER BY event_key LIMIT $4`);
const PRUNE = sql('DELETE FROM mcp_stream_events WHERE created_at < $1');

export function pgMcpSessionRepo(s: PgSession): McpSessionRepo {
  return {
    insert: async (r: NewMcpSession) => void (await s.run(INSERT, [r.id, r.identity, r.protocolVersion, JSON.stringify(r.initializeParams), r.now])),
    get: async (id) => {
      const row = await s.one<McpSessionRow>(GET, [id]);
      return row ? toMcpSession(row) : null;
    },
    touch: async (id, now) => (await s.run(TOUCH, [id, now])) > 0,
    delete: async (id) => (await s.run(DELETE, [id])) > 0,
    count: async () => (await s.one<{ n: number }>(COUNT))?.n ?? 0,
    surplusOf: async (identity, keep) => (await s.rows<{ id: string }>(SURPLUS, [identity, keep])).map((r) => r.id).reverse(),
    idleSince: async (before, limit) => (await s.rows<{ id: string }>(IDLE, [before, limit])).map((r) => r.id),
    subscribe: async (id, uri) => void (await s.run(SUBSCRIBE, [id, uri])),
    unsubscribe: async (id, uri) => void (await s.run(UNSUBSCRIBE, [id, uri])),
    subscriptions: async (id) => (await s.rows<{ uri: string }>(SUBSCRIPTIONS, [id])).map((r) => r.uri),
    appendEvents: async (events: readonly McpStreamEvent[]) => {
      if (events.length === 0) return;
      await s.run(APPEND, [
        events.map((e) => e.sessionId),
        events.map((e) => e.streamId),
        events.map((e) => e.eventKey),
        events.map((e) => e.message),
        events.map((e) => e.createdAt),
      ]);
    },
    eventsAfter: async (sessionId, streamId, afterKey, limit) =>
      (await s.rows<McpStreamEventRow>(AFTER, [sessionId, streamId, afterKey, limit])).map(toMcpStreamEvent),
    pruneEvents: (before) => s.run(PRUNE, [before]),
  };
}
