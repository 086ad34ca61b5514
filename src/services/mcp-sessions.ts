import type { Deps } from './deps.js';
import type { McpSessionRecord, McpStreamEvent } from '../store/port/mcp-sessions.js';

export type { McpSessionRecord, McpStreamEvent };

/**
 * MCP sessions of the HTTP transport, kept in the database so that every replica can serve every
 * request of a session (SPEC §6). Signal delivery is per replica's copy of a session (its own
 * delivery id, released when the copy goes), not per session row.
 */
export interface OpenMcpSession {
  id: string;
  identity: string;
  protocolVersion: string;
  initializeParams: Record<string, unknown>;
  /** sessions one identity may keep; the oldest beyond it are ended */
  keepPerIdentity: number;
  /** sessions the fleet may keep in all */
  maxSessions: number;
}

/** Records a new session; 'full' when the fleet already keeps `maxSessions`. Returns the sessions it ended to make room. */
export async function openMcpSession(deps: Deps, input: OpenMcpSession): Promise<{ ok: true; ended: string[] } | { ok: false; reason: 'full' }> {
  return deps.store.write(async (tx) => {
    if ((await tx.mcpSessions.count()) >= input.maxSessions) return { ok: false, reason: 'full' } as const;
    await tx.mcpSessions.insert({ ...input, now: deps.clock.now() });
    const ended = await tx.mcpSessions.surplusOf(input.identity, input.keepPerIdentity);
    for (const id of ended) await tx.mcpSessions.delete(id);
    return { ok: true, ended } as const;
  });
}

export async function getMcpSession(deps: Deps, id: string): Promise<McpSessionRecord | null> {
  return deps.store.read((tx) => tx.mcpSessions.get(id));
}

/** Records that the session is in use; false when it has ended (DELETE, reaped, evicted). */
export async function touchMcpSession(deps: Deps, id: string): Promise<boolean> {
  return deps.store.write((tx) => tx.mcpSessions.touch(id, deps.clock.now()));
}

/** Ends a session: its row, subscriptions and stream events go. */
export async function endMcpSession(deps: Deps, id: string): Promise<boolean> {
  return deps.store.write((tx) => tx.mcpSessions.delete(id));
}

/** Ends sessions idle since `idleBefore` (a batch at a time) and drops stream events older than `eventsBefore`. */
export async function reapMcpSessions(deps: Deps, idleBefore: number, eventsBefore: number, batch = 200): Promise<string[]> {
  return deps.store.write(async (tx) => {
    const ids = await tx.mcpSessions.idleSince(idleBefore, batch);
    for (const id of ids) await tx.mcpSessions.delete(id);
    await tx.mcpSessions.pruneEvents(eventsBefore);
    return ids;
  });
}

export async function countMcpSessions(deps: Deps): Promise<number> {
  return deps.store.read((tx) => tx.mcpSessions.count());
}

export async function subscribeMcpSession(deps: Deps, id: string, uri: string): Promise<void> {
  await deps.store.write((tx) => tx.mcpSessions.subscribe(id, uri));
}

export async function unsubscribeMcpSession(deps: Deps, id: string, uri: string): Promise<void> {
  await deps.store.write((tx) => tx.mcpSessions.unsubscribe(id, uri));
}

export async function mcpSessionSubscriptions(deps: Deps, id: string): Promise<string[]> {
  return deps.store.read((tx) => tx.mcpSessions.subscriptions(id));
}

export async function appendStreamEvents(deps: Deps, events: readonly McpStreamEvent[]): Promise<void> {
  if (events.length > 0) await deps.store.write((tx) => tx.mcpSessions.appendEvents(events));
}

export async function streamEventsAfter(deps: Deps, sessionId: string, streamId: string, afterKey: string, limit: number): Promise<McpStreamEvent[]> {
  return deps.store.read((tx) => tx.mcpSessions.eventsAfter(sessionId, streamId, afterKey, limit));
}
