/**
 * Paged, counted reads for the operator's console: the audit log by family and type, the run board
 * by state (the queued column in take order), agents and claims with search. Read-only; every page
 * comes with an exact count and a cursor to the next one.
 */
import { livenessAt, type Agent, type Liveness } from '../domain/agent.js';
import { EVENT_CONCEPTS, type FleetEvent } from '../domain/event.js';
import type { Run, RunState } from '../domain/run.js';
import type { EventListQuery, RunCursor, RunListQuery, RunOrder } from '../store/port/listings.js';
import { listActiveClaims, type ClaimView } from './claims/queries.js';
import type { Deps } from './deps.js';
import { readTx } from './tx.js';

export const PAGE_MAX = 200;

export interface Page<T> {
  items: T[];
  /** every item matching the filter, not only this page */
  total: number;
  /** the cursor of the next page; null on the last one */
  next: string | null;
}

export interface EventFilter {
  /** `run`, `blocker`, … or `run.` */
  family?: string;
  type?: string;
  agentId?: string;
  runId?: string;
  /** heartbeats are left out unless asked for */
  heartbeats?: boolean;
}

/** The audit log, newest first, filtered in the database; `cursor` is the seq to page below. */
export async function pageEvents(deps: Deps, filter: EventFilter, cursor: string | undefined, limit: number): Promise<Page<FleetEvent>> {
  const family = filter.family?.replace(/\.$/, '') || undefined;
  // an unknown family names no event
  if (family && !(EVENT_CONCEPTS as readonly string[]).includes(family)) return { items: [], total: 0, next: null };
  const q: EventListQuery = {
    family,
    type: filter.type,
    agentId: filter.agentId,
    runId: filter.runId,
    // an explicit heartbeat filter shows them
    hideHeartbeats: !filter.heartbeats && filter.type !== 'agent.heartbeat',
  };
  const before = cursor && /^\d{1,15}$/.test(cursor) ? Number(cursor) : null;
  const n = clamp(limit);
  return readTx(deps, async (tx) => {
    const rows = await tx.listings.events(q, before, n + 1);
    const items = rows.slice(0, n);
    return { items, total: await tx.listings.countEvents(q), next: rows.length > n ? String(items[items.length - 1]!.seq) : null };
  });
}

export interface RunFilter {
  role?: string;
  /** an agent id or name: the run's owner, last owner or target */
  agent?: string;
  type?: string;
  text?: string;
}

/** One state's runs: queued in take order (priority desc, then oldest), the others newest first. */
export async function pageRuns(deps: Deps, state: RunState, filter: RunFilter, cursor: string | undefined, limit: number): Promise<Page<Run>> {
  const order: RunOrder = state === 'queued' ? 'take' : 'newest';
  const n = clamp(limit);
  return readTx(deps, async (tx) => {
    const q = await runQuery(tx, state, filter);
    if (q === null) return { items: [], total: 0, next: null };
    const rows = await tx.listings.runs(q, order, decodeRunCursor(cursor, order), n + 1);
    const items = rows.slice(0, n);
    const last = rows.length > n ? rows[n - 1]! : null;
    return { items: items.map((r) => r.run), total: await tx.listings.countRuns(q), next: last ? encodeRunCursor(last.run, last.seq, order) : null };
  });
}

/** Exact counts per state for the board's column headings. */
export async function countRunsByState(deps: Deps, states: readonly RunState[], filter: RunFilter): Promise<Map<RunState, number>> {
  return readTx(deps, async (tx) => {
    const out = new Map<RunState, number>();
    for (const state of states) {
      const q = await runQuery(tx, state, filter);
      out.set(state, q === null ? 0 : await tx.listings.countRuns(q));
    }
    return out;
  });
}

async function runQuery(tx: Parameters<Parameters<typeof readTx>[1]>[0], state: RunState, filter: RunFilter): Promise<RunListQuery | null> {
  let agentId: string | undefined;
  if (filter.agent) {
    if (/^agt_[0-9a-z]+$/.test(filter.agent)) agentId = filter.agent;
    else {
      const named = (await tx.agents.list()).filter((a) => a.name === filter.agent);
      if (named.length === 0) return null;
      agentId = named[0]!.id; // names are not unique across roles: the first registered
    }
  }
  return { state, role: filter.role, agentId, type: filter.type, text: filter.text };
}

function encodeRunCursor(run: Run, seq: number, order: RunOrder): string {
  return order === 'take' ? `t.${run.priority}.${run.createdAt}.${seq}` : `n.${run.createdAt}.${run.id}`;
}

function decodeRunCursor(cursor: string | undefined, order: RunOrder): RunCursor | null {
  if (!cursor) return null;
  const t = /^t\.(-?\d{1,4})\.(\d{1,15})\.(\d{1,15})$/.exec(cursor);
  if (t && order === 'take') return { order, priority: Number(t[1]), createdAt: Number(t[2]), seq: Number(t[3]) };
  const n = /^n\.(\d{1,15})\.(run_[0-9a-z]{1,60})$/.exec(cursor);
  if (n && order === 'newest') return { order, createdAt: Number(n[1]), id: n[2]! };
  return null;
}

export interface AgentFilter {
  /** case-insensitive text in the name, id, role, workspace or note */
  text?: string;
  role?: string;
  liveness?: Liveness;
  /** include agents an operator forgot (stale, holding nothing) */
  forgotten?: boolean;
}

export interface AgentRow {
  agent: Agent;
  liveness: Liveness;
  claims: number;
  forgotten: boolean;
}

/**
 * Agents, active first then most recently seen; cursor = how many were shown (the list is read whole:
 * a fleet is hundreds of agents, and the order moves with every heartbeat, so a keyset would skip).
 */
export async function pageAgents(deps: Deps, filter: AgentFilter, cursor: string | undefined, limit: number): Promise<Page<AgentRow> & { roles: string[]; forgottenCount: number }> {
  const n = clamp(limit);
  return readTx(deps, async (tx, now) => {
    const [agents, forgotten, claims] = [await tx.agents.list(), await tx.consoleSessions.forgottenAgents(), await listActiveClaims(tx, { limit: 500 }, now)];
    const held = new Map<string, number>();
    for (const c of claims.claims) held.set(c.claim.agentId, (held.get(c.claim.agentId) ?? 0) + 1);
    const text = filter.text?.toLowerCase();
    const all = agents.map((agent) => {
      const at = forgotten.get(agent.id);
      return { agent, liveness: livenessAt(agent, now), claims: held.get(agent.id) ?? 0, forgotten: at !== undefined && agent.lastSeenAt <= at };
    });
    const rows = all
      .filter((r) => filter.forgotten || !r.forgotten)
      .filter((r) => !filter.role || r.agent.role === filter.role)
      .filter((r) => !filter.liveness || r.liveness === filter.liveness)
      .filter((r) => !text || [r.agent.name, r.agent.id, r.agent.role, r.agent.workspace ?? '', r.agent.note ?? ''].some((f) => f.toLowerCase().includes(text)))
      .sort((a, b) => (a.liveness === b.liveness ? b.agent.lastSeenAt - a.agent.lastSeenAt || a.agent.id.localeCompare(b.agent.id) : a.liveness === 'active' ? -1 : 1));
    const from = cursor && /^\d{1,6}$/.test(cursor) ? Number(cursor) : 0;
    const items = rows.slice(from, from + n);
    return {
      items,
      total: rows.length,
      next: from + n < rows.length ? String(from + n) : null,
      roles: [...new Set(agents.map((a) => a.role))].sort(),
      forgottenCount: all.filter((r) => r.forgotten).length,
    };
  });
}

export interface ClaimSearch {
  agentId?: string;
  workspace?: string;
  /** case-insensitive text in the pattern, holder name or reason */
  text?: string;
}

/** Active claims, oldest first, searched; cursor = how many were shown. */
export async function pageClaims(deps: Deps, filter: ClaimSearch, cursor: string | undefined, limit: number): Promise<Page<ClaimView> & { workspaces: string[] }> {
  const n = clamp(limit);
  return readTx(deps, async (tx, now) => {
    const listing = await listActiveClaims(tx, { agentId: filter.agentId, limit: 500 }, now);
    const text = filter.text?.toLowerCase();
    const rows = listing.claims
      .filter((c) => !filter.workspace || c.claim.workspace === filter.workspace)
      .filter((c) => !text || [c.claim.pattern, c.holder?.name ?? '', c.claim.reason ?? '', c.claim.agentId].some((f) => f.toLowerCase().includes(text)));
    const from = cursor && /^\d{1,6}$/.test(cursor) ? Number(cursor) : 0;
    return {
      items: rows.slice(from, from + n),
      total: rows.length,
      next: from + n < rows.length ? String(from + n) : null,
      workspaces: [...new Set(listing.claims.map((c) => c.claim.workspace))].sort(),
    };
  });
}

function clamp(limit: number): number {
  return Math.max(1, Math.min(PAGE_MAX, Math.floor(limit) || 50));
}

/**
 * Failed or dead over all results, leaving out dead letters no agent ever tried (expired in the
 * queue: a capacity problem, not a failure of the work). null before any result.
 */
export async function triedFailureRate(deps: Deps): Promise<{ rate: number | null; neverTried: number }> {
  return readTx(deps, async (tx) => {
    const counts = await tx.runs.countByState();
    const neverTried = await tx.listings.countRuns({ state: 'dead', neverTried: true });
    const failed = (counts.failed ?? 0) + (counts.dead ?? 0) - neverTried;
    const results = (counts.completed ?? 0) + failed;
    return { rate: results === 0 ? null : failed / results, neverTried };
  });
}
