import type { McpSessionRecord, McpStreamEvent } from '../port/mcp-sessions.js';
import { parseJson } from './json.js';

export interface McpSessionRow {
  id: string;
  identity: string;
  protocol_version: string;
  initialize_params: string;
  created_at: number;
  last_seen_at: number;
}

export const toMcpSession = (row: McpSessionRow): McpSessionRecord => ({
  id: row.id,
  identity: row.identity,
  protocolVersion: row.protocol_version,
  initializeParams: parseJson<Record<string, unknown>>(row.initialize_params, {}),
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
});

export interface McpStreamEventRow {
  session_id: string;
  stream_id: string;
  event_key: string;
  message: string;
  created_at: number;
}

export const toMcpStreamEvent = (row: McpStreamEventRow): McpStreamEvent => ({
  sessionId: row.session_id,
  streamId: row.stream_id,
  eventKey: row.event_key,
  message: row.message,
  createdAt: row.created_at,
});
