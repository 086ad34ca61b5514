import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../../main.js';
import type { Logger } from '../../logger.js';
import { createServer, type FleetServer, type ServerEnv } from '../../mcp/server.js';
import { Session } from '../../mcp/session.js';
import {
  endMcpSession,
  getMcpSession,
  mcpSessionSubscriptions,
  openMcpSession,
  subscribeMcpSession,
  touchMcpSession,
  unsubscribeMcpSession,
} from '../../services/mcp-sessions.js';
import type { ToolCallMetrics } from '../../services/metrics.js';
import { VERSION } from '../../version.js';
import { SessionEventStore, type StreamEventWriter } from './event-store.js';
import type { HttpCounters } from './metrics.js';
import { localRequest } from './web-bridge.js';

/** sessions one identity keeps; a client restarting without DELETE leaves its old ones behind */
const MAX_SESSIONS_PER_IDENTITY = 16;
/** how stale this replica's belief that a session still exists may get (another replica may have ended it) */
const CHECK_MS = 1_000;
/** how often a session in use here moves its last_seen_at (the reaper's idle clock) forward */
const TOUCH_MS = 30_000;
/** how often the replica holding a session's stream re-reads its subscriptions (another replica may take a subscribe) */
const SUBSCRIPTIONS_REFRESH_MS = 1_000;
/** the origin of requests a replica makes to its own transports */
const LOCAL_ORIGIN = 'http://fleetdeck.local';

/** One MCP session as this replica holds it: a cache of the database's row, rebuilt by any replica. */
export interface LiveSession {
  id: string;
  /** `agent:<id>` or `operator:<name>`: every request of the session must come with this identity */
  identity: string;
  transport: WebStandardStreamableHTTPServerTransport;
  server: FleetServer;
  events: SessionEventStore;
  lastActive: number;
  /** requests and streams of the session open on this replica */
  open: number;
  /** standalone (GET) streams open here: the replica holding one sends the session's notifications */
  streams: number;
  checkedAt: number;
  touchedAt: number;
}

export interface SessionRegistryOptions {
  maxBodyBytes: number;
  maxSessions: number;
  onSession?: (server: FleetServer, env: ServerEnv) => void;
}

/**
 * MCP sessions (SPEC §6 "a replica keeps nothing that another replica would need"). A session is a
 * row in the database: its identity, its initialize request, its subscriptions; its resumable
 * streams' messages are rows too (event-store.ts). A replica that gets a request for a session it
 * does not hold builds the session's server and transport and replays the stored initialize to
 * them — the SDK then stands exactly where it stood on the replica that answered the client's own
 * initialize (negotiated protocol version, client capabilities) — so a client behind a round-robin
 * proxy, or whose replica died, carries on without a new initialize.
 */
export function createSessionRegistry(app: App, options: SessionRegistryOptions, log: Logger, counters: HttpCounters, writer: StreamEventWriter, toolMetrics: ToolCallMetrics) {
  const local = new Map<string, LiveSession>();
  const taking = new Map<string, Promise<LiveSession | null>>();
  const deps = app.deps;

  function build(id: string, identity: string): LiveSession {
    // each replica's copy is its own signal delivery (its own deliveryId), like two connections of
    // one agent: a signal handed out through one copy and not acknowledged is handed again, marked
    // redelivered, through another after REDELIVER_AFTER_MS, and at once when the copy goes
    const session = new Session(false);
    let toolset: ServerEnv['toolset'] = 'agent';
    if (identity.startsWith('agent:')) session.bindAgent(identity.slice('agent:'.length));
    else if (identity.startsWith('operator:')) {
      session.bindOperator(identity.slice('operator:'.length));
      toolset = 'operator';
    }
    const events = new SessionEventStore(id, writer, deps);
    let streams = () => 0;
    const env: ServerEnv = {
      deps,
      feed: app.feed,
      session,
      toolset,
      version: VERSION,
      onToolCall: (tool, outcome, ms) => toolMetrics.record(tool, outcome, ms),
      subscriptions: {
        add: (uri) => subscribeMcpSession(deps, id, uri),
        remove: (uri) => unsubscribeMcpSession(deps, id, uri),
        list: () => mcpSessionSubscriptions(deps, id),
        notifying: () => streams() > 0,
      },
    };
    const server = createServer(env);
    options.onSession?.(server, env);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      maxRequestBodySize: options.maxBodyBytes,
      eventStore: events,
      // DELETE: the session ends for every replica (the others notice within CHECK_MS)
      onsessionclosed: async () => void (await endMcpSession(deps, id)),
    });
    const entry: LiveSession = { id, identity, transport, server, events, lastActive: Date.now(), open: 0, streams: 0, checkedAt: Date.now(), touchedAt: Date.now() };
    streams = () => entry.streams;
    transport.onclose = () => {
      if (local.get(id) === entry) local.delete(id);
      void server.dispose();
    };
    return entry;
  }

  /** Forgets this replica's copy of a session (the session itself lives on in the database unless ended there). */
  function drop(id: string, reason: string): void {
    const entry = local.get(id);
    if (!entry) return;
    local.delete(id);
    void entry.transport.close().catch(() => {});
    log.debug({ session: id, reason }, 'MCP session copy dropped');
  }

  /** A new session for `identity` (an initialize request); 'full' when the fleet keeps maxSessions already. */
  async function open(identity: string, initializeParams: Record<string, unknown>): Promise<LiveSession | 'full'> {
    const requested = initializeParams.protocolVersion;
    const protocolVersion = typeof requested === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
    const id = randomUUID();
    const opened = await openMcpSession(deps, { id, identity, protocolVersion, initializeParams, keepPerIdentity: MAX_SESSIONS_PER_IDENTITY, maxSessions: options.maxSessions });
    if (!opened.ok) return 'full';
    for (const ended of opened.ended) drop(ended, 'per-identity limit');
    const entry = build(id, identity);
    await entry.server.mcp.connect(entry.transport);
    local.set(id, entry);
    counters.sessionsOpened++;
    log.debug({ session: id, identity }, 'MCP session opened');
    return entry;
  }

  /** Builds a session another replica started (or this one, before a restart) from its row. */
  async function takeUp(id: string): Promise<LiveSession | null> {
    const record = await getMcpSession(deps, id);
    if (!record) return null;
    const entry = build(id, record.identity);
    await entry.server.mcp.connect(entry.transport);
    entry.events.muted = true;
    try {
      const init = await entry.transport.handleRequest(localRequest(LOCAL_ORIGIN, { jsonrpc: '2.0', id: 'fleetdeck-take-up', method: 'initialize', params: record.initializeParams }));
      await init.text();
      const initialized = await entry.transport.handleRequest(
        localRequest(LOCAL_ORIGIN, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': id, 'mcp-protocol-version': record.protocolVersion }),
      );
      await initialized.text();
    } finally {
      entry.events.muted = false;
    }
    if (entry.transport.sessionId !== id || !(await touchMcpSession(deps, id))) {
      await entry.transport.close().catch(() => {});
      return null;
    }
    const existing = local.get(id);
    if (existing) {
      await entry.transport.close().catch(() => {});
      return existing;
    }
    local.set(id, entry);
    counters.sessionsResumed++;
    log.debug({ session: id, identity: record.identity }, 'MCP session taken up from the database');
    return entry;
  }

  /** The session for a request's Mcp-Session-Id, from this replica's copy or the database; null when it has ended. */
  async function resolve(id: string): Promise<LiveSession | null> {
    const entry = local.get(id);
    if (!entry) {
      let pending = taking.get(id);
      if (!pending) {
        pending = takeUp(id).finally(() => taking.delete(id));
        taking.set(id, pending);
      }
      return pending;
    }
    const now = Date.now();
    if (now - entry.touchedAt >= TOUCH_MS || now - entry.checkedAt >= CHECK_MS) {
      const alive = now - entry.touchedAt >= TOUCH_MS ? await touchMcpSession(deps, id) : (await getMcpSession(deps, id)) !== null;
      entry.checkedAt = now;
      if (now - entry.touchedAt >= TOUCH_MS) entry.touchedAt = now;
      if (!alive) {
        drop(id, 'ended elsewhere');
        return null;
      }
    }
    return entry;
  }

  // The replica holding a session's stream follows its subscriptions, wherever they were made.
  const follow = setInterval(() => {
    for (const entry of local.values()) {
      if (entry.streams > 0) entry.server.refreshSubscriptions().catch((error: unknown) => log.debug({ err: error, session: entry.id }, 'could not re-read subscriptions'));
    }
  }, SUBSCRIPTIONS_REFRESH_MS);
  follow.unref();

  return {
    open,
    resolve,
    drop,
    /** Ends a session nobody can use (its initialize was refused), here and in the database. */
    async discard(id: string): Promise<void> {
      drop(id, 'initialize refused');
      await endMcpSession(deps, id);
    },
    size: () => local.size,
    /** this replica's copies: the reaper drops idle ones and keeps streaming ones' sessions alive */
    entries: () => [...local.values()],
    /** a stream opened: this replica sends the session's notifications from now on (a failure to re-read waits for the next round) */
    async streamOpened(entry: LiveSession): Promise<void> {
      entry.streams++;
      await entry.server.resyncSubscriptions().catch((error: unknown) => log.debug({ err: error, session: entry.id }, 'could not re-read subscriptions'));
    },
    close(): void {
      clearInterval(follow);
      for (const id of [...local.keys()]) drop(id, 'server closing');
    },
  };
}

export type SessionRegistry = ReturnType<typeof createSessionRegistry>;
