import type { ExternalTask } from '../../domain/external-task.js';
import { actorLabel, type Actor } from '../../domain/actor.js';
import type { FleetEvent } from '../../domain/event.js';
import { FleetError, notFound } from '../../domain/errors.js';
import type { Run, RunState } from '../../domain/run.js';
import { listActiveClaims } from '../claims/queries.js';
import type { Deps } from '../deps.js';
import { listRunArtifacts, type ArtifactSummary } from '../evidence/steps/artifacts.js';
import { readTx } from '../tx.js';

export interface ListRunsInput {
  state?: RunState[];
  role?: string;
  /** an agent id, or `me` */
  owner?: string;
  /** an actor label (agent id, operator:NAME), or `me` */
  submitter?: string;
  parent_run_id?: string;
  limit?: number;
  cursor?: string;
}

export interface RunPage {
  runs: Run[];
  /** pass as `cursor` for the next (older) page; null at the end */
  nextCursor: string | null;
}

/** Newest first, paged by an opaque cursor over (created_at, id), which never changes. */
export async function listRuns(deps: Deps, actor: Actor, input: ListRunsInput): Promise<RunPage> {
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 200);
  const me = (value: string | undefined, mine: string | null) => {
    if (value !== 'me') return value;
    if (mine === null) throw new FleetError('INVALID_INPUT', '"me" needs a bound caller', 'register_agent first, or pass an explicit id');
    return mine;
  };
  const ownerId = me(input.owner, actor.kind === 'agent' ? actor.agentId : null);
  const submitter = me(input.submitter, actor.kind === 'unbound' ? null : actorLabel(actor));
  const cursor = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  const runs = await readTx(deps, async (tx) =>
    await tx.runs.list({ states: input.state, role: input.role, ownerId, submitter, parentRunId: input.parent_run_id, cursor, limit: limit + 1 }),
  );
  const page = runs.slice(0, limit);
  const last = page[page.length - 1];
  return { runs: page, nextCursor: runs.length > limit && last ? encodeCursor(last) : null };
}

function encodeCursor(run: Run): string {
  return Buffer.from(`${run.createdAt}.${run.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const dot = text.indexOf('.');
  const createdAt = Number(text.slice(0, dot));
  const id = text.slice(dot + 1);
  if (dot <= 0 || !Number.isSafeInteger(createdAt) || !id.startsWith('run_')) {
    throw new FleetError('INVALID_INPUT', 'cursor is not one list_runs returned', 'pass next_cursor from the previous page, or omit it');
  }
  return { createdAt, id };
}

export interface RunClaim {
  claim_id: string;
  agent_id: string;
  workspace: string;
  kind: string;
  pattern: string;
  mode: string;
  expires_at: number;
}

export interface RunHandoffSummary {
  handoff_id: string;
  state: string;
  from_agent_id: string;
  to: string;
  summary: string;
  created_at: number;
}

export interface RunBlockerSummary {
  blocker_id: string;
  state: string;
  kind: string;
  origin: string;
  question: string;
  decision: string | null;
  resolution: string | null;
  created_at: number;
}

export interface RunDetail {
  run: Run;
  claims: RunClaim[];
  evidence: ArtifactSummary[];
  handoffs: RunHandoffSummary[];
  blockers: RunBlockerSummary[];
  timeline: FleetEvent[];
  /** true when the timeline shows only the newest events */
  timelineTruncated: boolean;
  /** where the run came from when another system sent it (the agentq bridge) */
  external: ExternalTask | null;
}

const TIMELINE_LIMIT = 200;

/** Everything about one run for fleet://runs/{run_id}, in one read snapshot. */
export async function runDetail(deps: Deps, runId: string): Promise<RunDetail> {
  return readTx(deps, async (tx, now) => {
    const run = await tx.runs.get(runId);
    if (!run) throw notFound('run', runId, 'list runs with list_runs or fleet://queue');
    const events = await tx.events.list({ runId, limit: TIMELINE_LIMIT + 1, newestFirst: true });
    const timeline = events.slice(0, TIMELINE_LIMIT).reverse();
    return {
      run,
      external: await tx.externalTasks.byRun(runId),
      // as every claims listing: without the claims that lapsed but that no write has ended yet
      claims: (await listActiveClaims(tx, { runId, limit: 100 }, now)).claims.map(({ claim: c }) => ({
        claim_id: c.id,
        agent_id: c.agentId,
        workspace: c.workspace,
        kind: c.kind,
        pattern: c.pattern,
        mode: c.mode,
        expires_at: c.expiresAt,
      })),
      evidence: await listRunArtifacts(tx, runId),
      handoffs: (await tx.handoffs.listByRun(runId)).map((h) => ({
        handoff_id: h.id,
        state: h.state,
        from_agent_id: h.fromAgentId,
        to: h.toAgentId ?? `role:${h.toRole}`,
        summary: h.summary,
        created_at: h.createdAt,
      })),
      blockers: (await tx.blockers.listByRun(runId)).map((b) => ({
        blocker_id: b.id,
        state: b.state,
        kind: b.kind,
        origin: b.origin,
        question: b.question,
        decision: b.decision,
        resolution: b.resolution,
        created_at: b.createdAt,
      })),
      timeline,
      timelineTruncated: events.length > TIMELINE_LIMIT,
    };
  });
}

/** For resource listing and completion. */
export async function recentRunIds(deps: Deps, limit: number): Promise<{ id: string; title: string; state: RunState }[]> {
  return readTx(deps, async (tx) => (await tx.runs.list({ limit })).map((r) => ({ id: r.id, title: r.title, state: r.state })));
}

export async function completeRunIds(deps: Deps, prefix: string, limit: number): Promise<string[]> {
  return readTx(deps, async (tx) => await tx.runs.listIds(prefix, limit));
}

/** get_run: the run and its evidence list, in one read. */
export async function getRunView(deps: Deps, runId: string): Promise<{ run: Run; evidence: ArtifactSummary[]; external: ExternalTask | null }> {
  return readTx(deps, async (tx) => {
    const run = await tx.runs.get(runId);
    if (!run) throw notFound('run', runId, 'list runs with list_runs');
    return { run, evidence: await listRunArtifacts(tx, runId), external: await tx.externalTasks.byRun(runId) };
  });
}
