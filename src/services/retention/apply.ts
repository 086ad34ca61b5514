import type { Deps } from '../deps.js';
import type { RunsForgotten } from '../../store/port/retention.js';
import type { Tx } from '../../store/port/index.js';
import { ARCHIVE_BLOCK, encodeSegment } from './archive-segment.js';
import { segmentName } from '../../store/port/archive.js';
import { holdsNothing, isForgotten } from '../operator/bulk.js';
import { sweepOrphanBlobFiles } from './blob-files.js';
import { cutoff, DEFAULT_RETENTION, type RetentionSettings } from './settings.js';

/**
 * Batch sizes: each batch is one write transaction, and each is small enough that the write lock
 * is held for a few milliseconds (figures in docs/retention.md), so agents' calls between batches
 * never wait long on retention.
 */
const RUNS_PER_BATCH = 25;
const ROWS_PER_BATCH = 500;
const EVENTS_DELETED_PER_BATCH = 250;

/** What one pass did: the runs' batches (RunsForgotten, summed), and the rest. */
export interface RetentionReport extends RunsForgotten {
  archivedEvents: number;
  segments: string[];
  deletedEvents: number;
  tokens: number;
  /** stale agents holding nothing, forgotten (they leave the lists until their next sign of life) */
  agents: number;
  /** evidence files removed from the data directory (no blob row refers to them any more) */
  blobFiles: number;
  /** false when the pass stopped at its time budget with work left (the next pass goes on) */
  finished: boolean;
}

const emptyReport = (): RetentionReport => ({
  archivedEvents: 0, segments: [], deletedEvents: 0, runs: 0, artifacts: 0, handoffs: 0, blockers: 0, claims: 0, signals: 0, tokens: 0, agents: 0, blobs: 0, blobFiles: 0, finished: true,
});

/**
 * One retention pass (the sweeper runs one a minute; `fleetdeck retention apply` on demand):
 * archives whole blocks of old audit events and then removes them from the live log, and removes
 * finished runs with everything that hangs off them, acknowledged signals, ended claims and revoked
 * tokens past their periods. Every step is idempotent and safe in many processes at once. Stops
 * when nothing is left or `budgetMs` has passed.
 */
export async function applyRetention(deps: Deps, options: { budgetMs?: number; settings?: RetentionSettings; sweepFiles?: boolean } = {}): Promise<RetentionReport> {
  const settings = options.settings ?? deps.settings.retention ?? DEFAULT_RETENTION;
  const deadline = Date.now() + (options.budgetMs ?? 200);
  const report = emptyReport();
  const inBudget = () => Date.now() < deadline;
  const now = deps.clock.now();

  const eventsBefore = cutoff(now, settings.eventsDays);
  if (eventsBefore !== null) {
    await repeat(inBudget, () => archiveNextBlock(deps, eventsBefore, report));
  }
  const runsBefore = cutoff(now, settings.runsDays);
  const signalsBefore = cutoff(now, settings.signalsDays);
  // one read says what is due: an idle pass (most minutes) never takes the write lock
  const due = await deps.store.read((tx) => tx.retention.pending(runsBefore, signalsBefore));
  if (due.archivedEvents || report.archivedEvents > 0) {
    while (inBudget()) {
      const deleted = await deps.store.write((tx) => tx.retention.deleteArchivedEvents(EVENTS_DELETED_PER_BATCH));
      report.deletedEvents += deleted;
      if (deleted < EVENTS_DELETED_PER_BATCH) break;
    }
  }
  if (runsBefore !== null) {
    if (due.runs) await repeat(inBudget, () => forgetRunBatch(deps, runsBefore, report));
    if (due.claims) await repeat(inBudget, () => forgetRows(deps, report, 'claims', (tx) => tx.retention.forgetEndedClaims(runsBefore, ROWS_PER_BATCH)));
    if (due.tokens) await repeat(inBudget, () => forgetRows(deps, report, 'tokens', (tx) => tx.retention.forgetRevokedTokens(runsBefore, ROWS_PER_BATCH)));
  }
  if (signalsBefore !== null && due.signals) {
    await repeat(inBudget, () => forgetRows(deps, report, 'signals', (tx) => tx.retention.forgetAckedSignals(signalsBefore, ROWS_PER_BATCH)));
  }
  const agentsBefore = cutoff(now, settings.staleAgentsDays);
  if (agentsBefore !== null && inBudget()) report.agents = await forgetQuietAgents(deps, agentsBefore);
  if (report.blobs > 0 || options.sweepFiles) report.blobFiles = await sweepOrphanBlobFiles(deps);
  report.finished = inBudget();
  return report;
}

/** Runs `step` while it reports more work and the pass is within its budget. */
async function repeat(inBudget: () => boolean, step: () => Promise<boolean>): Promise<void> {
  while (inBudget() && (await step())) {
    // each step is one short transaction; the loop yields to other callers between them
  }
}

/**
 * Archives the block after the mark when all of it is older than `before` and it is not the end of
 * the log: the segment is made durable first, then the mark moves (the events leave the live log
 * in later batches). A block whose chain does not link is left where it is, for `audit verify` to
 * name: archiving must never launder a broken chain.
 */
async function archiveNextBlock(deps: Deps, before: number, report: RetentionReport): Promise<boolean> {
  const { mark, rows, lastSeq } = await deps.store.read(async (tx) => {
    const mark = await tx.retention.archiveMark();
    const lastSeq = await tx.events.lastSeq();
    // the block's last event first: most passes stop here, having read one row
    const [end] = await tx.events.list({ afterSeq: mark.throughSeq + ARCHIVE_BLOCK - 1, limit: 1 });
    if (!end || end.seq !== mark.throughSeq + ARCHIVE_BLOCK || end.at >= before || end.seq >= lastSeq) return { mark, rows: [], lastSeq };
    return { mark, rows: await tx.retention.eventsBetween(mark.throughSeq, mark.throughSeq + ARCHIVE_BLOCK), lastSeq };
  });
  const last = rows[rows.length - 1];
  if (rows.length < ARCHIVE_BLOCK || !last || last.at >= before || last.seq >= lastSeq) return false;
  const links = rows.every((row, i) => row.seq === mark.throughSeq + 1 + i && (i === 0 ? mark.throughSeq === 0 || row.prev_hash === mark.throughHash : row.prev_hash === rows[i - 1]!.hash));
  if (!links) {
    deps.logger.error({ afterSeq: mark.throughSeq }, 'audit events after the archive mark do not link; not archiving them (run fleetdeck audit verify)');
    return false;
  }
  const segment = { name: segmentName(rows[0]!.seq, last.seq), firstSeq: rows[0]!.seq, lastSeq: last.seq };
  const archive = deps.store.archive(deps.settings.dataDir);
  const now = deps.clock.now();
  await archive.write(segment, encodeSegment(rows), { events: rows.length, firstPrevHash: rows[0]!.prev_hash, lastHash: last.hash, firstAt: rows[0]!.at, lastAt: last.at }, now);
  const moved = await deps.store.write((tx) => tx.retention.moveArchiveMark(mark.throughSeq, last.seq, last.hash, now));
  if (moved) {
    report.archivedEvents += rows.length;
    report.segments.push(segment.name);
  }
  return true;
}

async function forgetRunBatch(deps: Deps, before: number, report: RetentionReport): Promise<boolean> {
  const forgotten = await deps.store.write(async (tx) => {
    const ids = await tx.retention.finishedRunsBefore(before, RUNS_PER_BATCH);
    if (ids.length === 0) return null;
    const counts = await tx.retention.forgetRuns(ids);
    await recordRetention(tx, deps.clock.now(), { ...counts, before });
    return counts;
  });
  if (!forgotten) return false;
  for (const key of ['runs', 'artifacts', 'handoffs', 'blockers', 'claims', 'signals', 'blobs'] as const) report[key] += forgotten[key];
  deps.onCommit?.();
  return forgotten.runs === RUNS_PER_BATCH;
}

async function forgetRows(deps: Deps, report: RetentionReport, what: 'claims' | 'tokens' | 'signals', step: (tx: Tx) => Promise<number>): Promise<boolean> {
  const n = await deps.store.write(async (tx) => {
    const removed = await step(tx);
    if (removed > 0 && what === 'tokens') await recordRetention(tx, deps.clock.now(), { tokens: removed });
    return removed;
  });
  report[what] += n;
  return n === ROWS_PER_BATCH;
}

/** Agents this pass may forget at most (one transaction). */
const AGENTS_PER_PASS = 200;

/**
 * Forgets agents stale since before `before` that hold nothing (no claim, no run they own), as the
 * operator's "Forget stale agents" does, each with its `agent.forgotten` event: a fleet of
 * short-lived sessions does not fill the lists with agents nobody will see again. The rows stay
 * (runs and events name them); an agent that comes back is listed again.
 */
async function forgetQuietAgents(deps: Deps, before: number): Promise<number> {
  const candidates = await deps.store.read(async (tx) => {
    const forgotten = await tx.consoleSessions.forgottenAgents();
    return (await tx.agents.list()).filter((a) => a.staleSince !== null && a.staleSince < before && !isForgotten(a, forgotten)).map((a) => a.id);
  });
  if (candidates.length === 0) return 0;
  return deps.store.write(async (tx) => {
    const now = deps.clock.now();
    let n = 0;
    for (const id of candidates.slice(0, AGENTS_PER_PASS)) {
      const agent = await tx.agents.get(id);
      if (!agent || agent.staleSince === null || agent.staleSince >= before || !(await holdsNothing(tx, agent, now))) continue;
      await tx.consoleSessions.forgetAgent(id, now, 'system');
      await tx.events.append({ actor: 'system', type: 'agent.forgotten', agentId: id, payload: { name: agent.name, role: agent.role, stale_since: agent.staleSince } }, now);
      n++;
    }
    return n;
  });
}

/** Removing runs and tokens is a state change an auditor asks about: one event per batch says what went. */
async function recordRetention(tx: Tx, now: number, what: Partial<RunsForgotten> & { tokens?: number; before?: number }): Promise<void> {
  await tx.events.append({ actor: 'system', type: 'retention.applied', payload: what }, now);
}
