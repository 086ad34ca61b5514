import type { McpSessionRepo, McpStreamEvent, NewMcpSession } from '../../port/mcp-sessions.js';
import { toMcpSession, toMcpStreamEvent, type McpSessionRow, type McpStreamEventRow } from '../../rows/mcp-sessions.js';
import type { Db } from '../open.js';

const COLUMNS = 'id, identity, protocol_version, initialize_params, created_at, last_seen_at';

export function sqliteMcpSessionRepo(db: Db): McpSessionRepo {
  const insert = db.prepare(`INSERT INTO mcp_sessions (id, identity, protocol_version, initialize_params, created_at, last_seen_at)
    VALUES (@id, @identity, @protocolVersion, @params, @now, @now)`);
  const get = db.prepare(`SELECT ${COLUMNS} FROM mcp_sessions WHERE id = ?`);
  const touch = db.prepare('UPDATE mcp_sessions SET last_seen_at = max(last_seen_at, @now) WHERE id = @id');
  const del = db.prepare('DELETE FROM mcp_sessions WHERE id = ?');
  const delSubscriptions = db.prepare('DELETE FROM mcp_session_subscriptions WHERE session_id = ?');
  const delEvents = db.prepare('DELETE FROM mcp_stream_events WHERE session_id = ?');
  const count = db.prepare('SELECT count(*) FROM mcp_sessions').pluck();
  const surplus = db.prepare('SELECT id FROM mcp_sessions WHERE identity = ? ORDER BY last_seen_at DESC, id DESC LIMIT -1 OFFSET ?').pluck();
  const idle = db.prepare('SELECT id FROM mcp_sessions WHERE last_seen_at < ? ORDER BY last_seen_at, id LIMIT ?').pluck();
  const subscribe = db.prepare('INSERT INTO mcp_session_subscriptions (session_id, uri) VALUES (?, ?) ON CONFLICT DO NOTHING');
  const unsubscribe = db.prepare('DELETE FROM mcp_session_subscriptions WHERE session_id = ? AND uri = ?');
  const subscriptions = db.prepare('SELECT uri FROM mcp_session_subscriptions WHERE session_id = ? ORDER BY uri').pluck();
  const append = db.prepare(`INSERT INTO mcp_stream_events (session_id, stream_id, event_key, message, created_at)
    VALUES (@sessionId, @streamId, @eventKey, @message, @createdAt) ON CONFLICT DO NOTHING`);
  const after = db.prepare(`SELECT session_id, stream_id, event_key, message, created_at FROM mcp_stream_events
    WHERE session_id = ? AND stream_id = ? AND event_key > ? ORDER BY event_key LIMIT ?`);
  const prune = db.prepare('DELETE FROM mcp_stream_events WHERE created_at < ?');

  return {
    insert: async (r: NewMcpSession) =>
      void insert.run({ id: r.id, identity: r.identity, protocolVersion: r.protocolVersion, params: JSON.stringify(r.initializeParams), now: r.now }),
    get: async (id) => {
      const row = get.get(id) as McpSessionRow | undefined;
      return row ? toMcpSession(row) : null;
    },
    touch: async (id, now) => touch.run({ id, now }).changes > 0,
    delete: async (id) => {
      delSubscriptions.run(id);
      delEvents.run(id);
      return del.run(id).changes > 0;
    },
    count: async () => count.get() as number,
    surplusOf: async (identity, keep) => (surplus.all(identity, keep) as string[]).reverse(),
    idleSince: async (before, limit) => idle.all(before, limit) as string[],
    subscribe: async (id, uri) => void subscribe.run(id, uri),
    unsubscribe: async (id, uri) => void unsubscribe.run(id, uri),
    subscriptions: async (id) => subscriptions.all(id) as string[],
    appendEvents: async (events: readonly McpStreamEvent[]) => {
      for (const e of events) append.run(e);
    },
    eventsAfter: async (sessionId, streamId, afterKey, limit) => (after.all(sessionId, streamId, afterKey, limit) as McpStreamEventRow[]).map(toMcpStreamEvent),
    pruneEvents: async (before) => prune.run(before).changes,
  };
}
