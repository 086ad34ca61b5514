import { FleetError } from '../../domain/errors.js';
import { applyRetention } from '../../services/retention/apply.js';
import { listArchive, showArchivedRun, verifyArchive } from '../../services/retention/archive-read.js';
import { flag, withApp, type Command } from '../command.js';
import { colour, printJson, printLine, printTable } from '../output.js';

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

export const archiveListCommand: Command = {
  path: ['archive', 'list'],
  summary: 'list the audit archive segments (events that retention moved out of the live log)',
  usage: 'fleetdeck archive list [--json] [--db PATH]',
  options: {},
  async run(args) {
    const listing = await withApp(args, (app) => listArchive(app.deps));
    if (flag(args, 'json')) {
      printJson(listing);
      return 0;
    }
    printLine(`${listing.segments.length} segment(s) in ${listing.location}; archived through seq ${listing.archivedThroughSeq}`);
    if (listing.segments.length > 0) printTable(['segment', 'first seq', 'last seq'], listing.segments.map((s) => [s.name, s.first_seq, s.last_seq]));
    return 0;
  },
};

export const archiveVerifyCommand: Command = {
  path: ['archive', 'verify'],
  summary: 'check the archive segments as one hash chain; name a missing, reordered or altered segment',
  usage: 'fleetdeck archive verify [--json] [--db PATH]\nExit 0 when the archive verifies, 2 when not. `fleetdeck audit verify` checks the archive and the live log together.',
  options: {},
  async run(args) {
    const report = await withApp(args, (app) => verifyArchive(app.deps));
    if (flag(args, 'json')) printJson(report);
    else if (report.ok) printLine(`${colour('ok', 'green')}: ${report.segments} segment(s), ${report.events} event(s), through seq ${report.archivedThroughSeq}`);
    else printLine(`${colour('BROKEN', 'red')} at seq ${report.broken!.seq}${report.broken!.segment ? ` (${report.broken!.segment})` : ''}: ${report.broken!.reason}`);
    return report.ok ? 0 : 2;
  },
};

export const archiveShowCommand: Command = {
  path: ['archive', 'show'],
  summary: "a run's whole history, from the archive and the live log, after the run itself left the live database",
  usage: 'fleetdeck archive show RUN_ID [--json] [--db PATH]',
  options: {},
  positionals: true,
  async run(args) {
    const runId = args.positionals[0];
    if (!runId || args.positionals.length !== 1) throw new FleetError('INVALID_INPUT', 'name one run id', 'fleetdeck archive show RUN_ID');
    const history = await withApp(args, (app) => showArchivedRun(app.deps, runId));
    if (flag(args, 'json')) {
      printJson(history);
      return 0;
    }
    printLine(`${history.run_id}: ${history.events.length} event(s), ${history.archived} archived, ${history.live} live`);
    printTable(['seq', 'at (UTC)', 'type', 'actor', 'payload'], history.events.map((e) => [e.seq, when(e.at), e.type, e.actor, e.payload]), 80);
    return 0;
  },
};

export const retentionApplyCommand: Command = {
  path: ['retention', 'apply'],
  summary: 'apply the retention policy now (servers do it every minute): archive old events, remove old finished work',
  usage: 'fleetdeck retention apply [--json] [--retain-days N] [--retain-events-days N] [--retain-signals-days N] [--db PATH]',
  options: {},
  async run(args) {
    const report = await withApp(args, (app) => applyRetention(app.deps, { budgetMs: 60_000, sweepFiles: true }));
    if (flag(args, 'json')) {
      printJson(report);
      return 0;
    }
    printLine(
      `archived ${report.archivedEvents} event(s) in ${report.segments.length} segment(s), removed ${report.deletedEvents} from the live log; ` +
        `removed ${report.runs} run(s), ${report.artifacts} artifact(s), ${report.handoffs} handoff(s), ${report.blockers} blocker(s), ` +
        `${report.claims} claim(s), ${report.signals} signal(s), ${report.tokens} token(s)${report.finished ? '' : '; more is due: run it again'}`,
    );
    return 0;
  },
};
