/**
 * MCP sessions of the HTTP transport (SPEC §6): what any replica needs to serve a request of a
 * session another replica started — who it belongs to, how it was initialized, what it subscribed
 * to — and the messages of its resumable SSE streams (the SDK's event store).
 */
export interface McpSessionRecord {
  id: string;
  /** the identity the session belongs to (`agent:<id>` or `operator:<name>`); every request must match */
  identity: string;
  protocolVersion: string;
  /** the client's initialize params, replayed when another replica takes the session up */
  initializeParams: Record<string, unknown>;
  createdAt: number;
  lastSeenAt: number;
}

export interface NewMcpSession {
  id: string;
  identity: string;
  protocolVersion: string;
  initializeParams: Record<string, unknown>;
  now: number;
}

/** One message of a resumable stream; `eventKey` orders the stream (it sorts as text). */
export interface McpStreamEvent {
  sessionId: string;
  streamId: string;
  eventKey: string;
  message: string;
  createdAt: number;
}

export interface McpSessionRepo {
  insert(row: NewMcpSession): Promise<void>;
  get(id: string): Promise<McpSessionRecord | null>;
  /** Moves last_seen_at forward; false when the session no longer exists (ended or reaped). */
  touch(id: string, now: number): Promise<boolean>;
  /** Ends a session with its subscriptions and stream events; false when it was already gone. */
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
  /** Sessions of `identity` beyond its newest `keep`, oldest first (a client restarting without DELETE leaves them). */
  surplusOf(identity: string, keep: number): Promise<string[]>;
  /** Up to `limit` sessions not seen since `before`, oldest first. */
  idleSince(before: number, limit: number): Promise<string[]>;
  subscribe(id: string, uri: string): Promise<void>;
  unsubscribe(id: string, uri: string): Promise<void>;
  subscriptions(id: string): Promise<string[]>;
  appendEvents(events: readonly McpStreamEvent[]): Promise<void>;
  /** Events of one stream after `afterKey`, in order. */
  eventsAfter(sessionId: string, streamId: string, afterKey: string, limit: number): Promise<McpStreamEvent[]>;
  /** Drops stream events older than `before`; returns how many. */
  pruneEvents(before: number): Promise<number>;
}
