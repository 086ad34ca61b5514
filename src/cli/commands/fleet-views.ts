import { userInfo } from 'node:os';
import type { Actor } from '../../domain/actor.js';
import type { FleetEvent } from '../../domain/event.js';
import { FleetError } from '../../domain/errors.js';
import type { Liveness } from '../../domain/agent.js';
import type { App } from '../../main.js';
import { listAgents } from '../../services/agents.js';
import { lastEventSeq, listEvents } from '../../services/audit.js';
import { listBlockers } from '../../services/blockers/queries.js';
import { listHandoffs } from '../../services/handoffs/queries.js';
import { listRuns } from '../../services/runs/queries.js';
import { queueStats } from '../../services/runs/queue-stats.js';
import { flag, str, withApp, type Command, type ParsedArgs } from '../command.js';
import { colour, printJson, printLine, printTable, screenWidth } from '../output.js';
import { ago } from './stats.js';
import { iso } from '../format.js';

/**
 * The operator's read-only views of the fleet: the one-screen `fleetdeck status`, `agents`, and
 * `events [--follow]`. (`claims`, `runs`, `blockers`, `handoffs`, `dlq` and `status RUN_ID` live
 * with their concepts.) Readable tables by default, `--json` for scripts, colour only on a terminal.
 */
const operator = (): Actor => ({ kind: 'operator', name: userInfo().username });
const since = (now: number, ms: number | null) => (ms === null ? '-' : `${ago((now - ms) / 1000)} ago`);
const live = (l: Liveness | null) => (l === 'stale' ? colour('stale', 'red') : l === 'active' ? colour('active', 'green') : '-');

/** How many rows each section of the one-screen view shows; the JSON says how many there are. */
const SCREEN_ROWS = 12;

export async function fleetSnapshot(app: App) {
  const deps = app.deps;
  const now = deps.clock.now();
  const [agents, owned, blockers, handoffs, queue] = await Promise.all([
    listAgents(deps),
    listRuns(deps, operator(), { state: ['leased', 'blocked', 'handoff_pending'], limit: 200 }),
    listBlockers(deps, { limit: 200 }),
    listHandoffs(deps, operator(), { to_me: false, limit: 200 }),
    queueStats(deps),
  ]);
  const names = new Map(agents.map((a) => [a.agent.id, a.agent.name]));
  const liveness = new Map(agents.map((a) => [a.agent.id, a.liveness]));
  return {
    generated_at: iso(now)!,
    agents: agents
      .map(({ agent, liveness: l }) => ({
        agent_id: agent.id,
        name: agent.name,
        role: agent.role,
        liveness: l,
        paused: agent.paused,
        status: agent.status,
        note: agent.note,
        current_run_id: agent.currentRunId,
        last_seen_at: iso(agent.lastSeenAt)!,
      }))
      // stale first (they need attention), then the most recently seen
      .sort((a, b) => (a.liveness === b.liveness ? b.last_seen_at.localeCompare(a.last_seen_at) : a.liveness === 'stale' ? -1 : 1)),
    leased_runs: owned.runs.map((r) => ({
      run_id: r.id,
      title: r.title,
      state: r.state,
      owner_id: r.ownerId,
      owner_name: r.ownerId ? (names.get(r.ownerId) ?? null) : null,
      owner_liveness: r.ownerId ? (liveness.get(r.ownerId) ?? null) : null,
      lease_expires_at: iso(r.leaseExpiresAt),
      attempts: r.attempts,
      max_attempts: r.maxAttempts,
    })),
    open_blockers: blockers.map((b) => ({
      blocker_id: b.blocker.id,
      run_id: b.blocker.runId,
      kind: b.blocker.kind,
      question: b.blocker.question,
      agent_name: b.agent.name,
      age_seconds: Math.round(b.ageMs / 1000),
    })),
    aging_handoffs: handoffs.map((h) => ({
      handoff_id: h.handoff.id,
      run_id: h.handoff.runId,
      from: h.from.name ?? h.from.agentId,
      to: h.handoff.toAgentId ?? `role:${h.handoff.toRole}`,
      summary: h.handoff.summary,
      age_seconds: Math.round(h.ageMs / 1000),
    })),
    queue: {
      queued: queue.queued_total,
      oldest_queued_age_seconds: queue.oldest_queued_age_ms === null ? null : Math.round(queue.oldest_queued_age_ms / 1000),
      dead_letters: queue.dead_letters.total,
      depth: queue.depth,
    },
  };
}

/** `fleetdeck status` without a RUN_ID: the whole fleet on one screen. */
export async function fleetStatus(args: ParsedArgs): Promise<number> {
  const s = await withApp(args, fleetSnapshot);
  if (flag(args, 'json')) {
    printJson(s);
    return 0;
  }
  const now = Date.parse(s.generated_at);
  const stale = s.agents.filter((a) => a.liveness === 'stale').length;
  const dead = s.queue.dead_letters > 0 ? colour(`${s.queue.dead_letters} dead letter(s)`, 'red') : '0 dead letters';
  printLine(
    `${colour('fleet', 'bold')}  ${s.agents.length - stale} active, ${stale > 0 ? colour(`${stale} stale`, 'red') : '0 stale'} agent(s) · ` +
      `${s.queue.queued} queued${s.queue.oldest_queued_age_seconds !== null ? ` (oldest ${ago(s.queue.oldest_queued_age_seconds)})` : ''} · ${dead}`,
  );
  printLine(`       ${s.leased_runs.length} leased · ${s.open_blockers.length} open blocker(s) · ${s.aging_handoffs.length} offered handoff(s)`);
  printSection('AGENTS', ['NAME', 'ROLE', 'LIVENESS', 'STATUS', 'RUN', 'LAST SEEN', 'NOTE'], 40, s.agents, (a) => [
    a.name,
    a.role,
    live(a.liveness) + (a.paused ? colour(' paused', 'yellow') : ''),
    a.status,
    a.current_run_id,
    since(now, Date.parse(a.last_seen_at)),
    a.note,
  ]);
  printSection('LEASED RUNS', ['RUN', 'STATE', 'OWNER', 'LIVENESS', 'LEASE UNTIL', 'ATTEMPTS', 'TITLE'], 40, s.leased_runs, (r) => [
    r.run_id,
    r.state,
    r.owner_name ?? r.owner_id,
    live(r.owner_liveness),
    r.lease_expires_at,
    `${r.attempts}/${r.max_attempts}`,
    r.title,
  ]);
  printSection('OPEN BLOCKERS', ['BLOCKER', 'KIND', 'RUN', 'OWNER', 'WAITING', 'QUESTION'], 48, s.open_blockers, (b) => [b.blocker_id, b.kind, b.run_id, b.agent_name, ago(b.age_seconds), b.question]);
  printSection('OFFERED HANDOFFS', ['HANDOFF', 'RUN', 'FROM', 'TO', 'WAITING', 'SUMMARY'], 48, s.aging_handoffs, (h) => [h.handoff_id, h.run_id, h.from, h.to, ago(h.age_seconds), h.summary]);
  return 0;
}

/** One section of the status screen: a heading, the first SCREEN_ROWS rows, and how many more --json shows. */
function printSection<T>(title: string, headers: string[], widest: number, items: T[], row: (item: T) => Parameters<typeof printTable>[1][number]): void {
  printLine();
  printLine(colour(title, 'bold'));
  printTable(headers, items.slice(0, SCREEN_ROWS).map(row), widest);
  if (items.length > SCREEN_ROWS) printLine(colour(`  … ${items.length - SCREEN_ROWS} more (--json for all)`, 'dim'));
}

export const agentsCommand: Command = {
  path: ['agents'],
  summary: 'list agents with liveness, status, current run and last sign of life',
  usage: 'fleetdeck agents [--role ROLE] [--stale] [--json] [--db PATH]',
  options: { role: { type: 'string' }, stale: { type: 'boolean' } },
  async run(args) {
    const role = str(args, 'role');
    const rows = (await withApp(args, (app) => listAgents(app.deps))).filter(
      (a) => (role === undefined || a.agent.role === role) && (!flag(args, 'stale') || a.liveness === 'stale'),
    );
    if (flag(args, 'json')) {
      printJson({
        agents: rows.map(({ agent, liveness }) => ({
          agent_id: agent.id,
          name: agent.name,
          role: agent.role,
          liveness,
          paused: agent.paused,
          status: agent.status,
          note: agent.note,
          progress: agent.progress,
          current_run_id: agent.currentRunId,
          last_seen_at: iso(agent.lastSeenAt),
          last_heartbeat_at: iso(agent.lastHeartbeatAt),
          workspace: agent.workspace,
          usage: agent.usage,
        })),
      });
      return 0;
    }
    const now = Date.now();
    printTable(
      ['AGENT', 'NAME', 'ROLE', 'LIVENESS', 'STATUS', 'RUN', 'LAST SEEN', 'NOTE'],
      rows.map(({ agent, liveness }) => [agent.id, agent.name, agent.role, live(liveness) + (agent.paused ? colour(' paused', 'yellow') : ''), agent.status, agent.currentRunId, since(now, agent.lastSeenAt), agent.note]),
      40,
    );
    return 0;
  },
};

function eventJson(e: FleetEvent) {
  return { seq: e.seq, at: iso(e.at), actor: e.actor, type: e.type, agent_id: e.agentId, run_id: e.runId, subject_id: e.subjectId, payload: e.payload };
}

/** Agent ids → names, for lines a person reads (ids stay in --json). */
async function agentNames(app: App): Promise<Map<string, string>> {
  return new Map((await listAgents(app.deps)).map((a) => [a.agent.id, a.agent.name]));
}

/** One event on one line of the screen: seq, time, type, who (by name), what it concerns, and its payload as key=value. */
export function eventLine(e: FleetEvent, names: Map<string, string>, width = screenWidth()): string {
  const who = names.get(e.actor) ?? e.actor;
  const subject = e.runId ?? e.subjectId ?? (e.agentId && e.agentId !== e.actor ? (names.get(e.agentId) ?? e.agentId) : '');
  const head = `${String(e.seq).padStart(6)} ${iso(e.at)!.slice(0, 19).replace('T', ' ')} ${e.type.padEnd(20)} ${who.padEnd(12)} ${subject}`;
  const payload = readablePayload(e.payload);
  const room = width - head.length - 2;
  const shown = payload === '' || room < 8 ? '' : `  ${payload.length > room ? `${payload.slice(0, room - 1)}…` : payload}`;
  return `${colour(head.slice(0, 6), 'dim')}${head.slice(6)}${colour(shown, 'dim')}`;
}

/** `{"outcome":"completed","evidence":["art_1"]}` → `outcome=completed evidence=art_1`. */
export function readablePayload(payload: unknown): string {
  if (!payload || typeof payload !== 'object') return payload === undefined || payload === null ? '' : String(payload);
  return Object.entries(payload as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${readableValue(v)}`)
    .join(' ');
}

function readableValue(v: unknown): string {
  if (typeof v === 'string') return /[\s="]/.test(v) ? JSON.stringify(v.replace(/\s+/g, ' ')) : v;
  if (Array.isArray(v)) return v.map(readableValue).join(',');
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export const eventsCommand: Command = {
  path: ['events'],
  summary: 'show recent audit events; --follow prints new ones as any process writes them',
  usage: [
    'fleetdeck events [--limit N] [--agent AGENT_ID] [--run RUN_ID] [--type TYPE,TYPE] [--follow] [--json] [--db PATH]',
    '  --follow   keep printing events as they are written (Ctrl-C to stop); with --json, one JSON object per line',
  ].join('\n'),
  options: { limit: { type: 'string' }, agent: { type: 'string' }, run: { type: 'string' }, type: { type: 'string' }, follow: { type: 'boolean' } },
  async run(args) {
    const limit = Number(str(args, 'limit') ?? 20);
    if (!Number.isInteger(limit) || limit < 0 || limit > 1000) throw new FleetError('INVALID_INPUT', '--limit must be an integer from 0 to 1000');
    const types = str(args, 'type')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const filter = { agentId: str(args, 'agent'), runId: str(args, 'run'), types };
    const json = flag(args, 'json');
    const follow = flag(args, 'follow');
    const matches = (e: FleetEvent) =>
      (filter.agentId === undefined || e.agentId === filter.agentId) && (filter.runId === undefined || e.runId === filter.runId) && (types === undefined || types.includes(e.type));
    return withApp(args, async (app) => {
      const page = limit > 0 ? await listEvents(app.deps, { ...filter, limit }) : { events: [], nextCursor: await lastEventSeq(app.deps) };
      if (!follow) {
        if (json) printJson({ events: page.events.map(eventJson), next_cursor: page.nextCursor });
        else {
          const names = await agentNames(app);
          for (const e of page.events) printLine(eventLine(e, names));
          if (page.events.length === 0) printLine(colour('(no events)', 'dim'));
        }
        return 0;
      }
      let names = json ? new Map<string, string>() : await agentNames(app);
      const print = (e: FleetEvent) => printLine(json ? JSON.stringify(eventJson(e)) : eventLine(e, names));
      page.events.forEach(print);
      // Follow the audit log from where the page ended. The change feed (which sees every
      // process's commits) is only the wake-up: each wake-up reads on from our own cursor, one read
      // at a time, so nothing is skipped or printed twice whatever the feed's batches were.
      let cursor = page.nextCursor;
      let draining: Promise<void> | null = null;
      let again = false;
      const drain = (): void => {
        if (draining) {
          again = true;
          return;
        }
        draining = (async () => {
          do {
            again = false;
            if (!json) names = await agentNames(app); // agents registered since
            for (;;) {
              const next = await listEvents(app.deps, { ...filter, after: cursor, limit: 500 });
              next.events.filter(matches).forEach(print);
              cursor = next.nextCursor;
              if (next.events.length < 500) break;
            }
          } while (again);
        })()
          .catch((error: unknown) => app.deps.logger.warn({ err: error }, 'events --follow: read failed; will retry'))
          .finally(() => {
            draining = null;
          });
      };
      await new Promise<void>((resolve) => {
        const unsubscribe = app.feed.subscribe(() => drain());
        drain();
        // the feed's timer is unref'd (it never keeps a server alive): this one keeps us following
        const keepAlive = setInterval(() => {}, 60_000);
        const stop = () => {
          clearInterval(keepAlive);
          unsubscribe();
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    });
  },
};

