import { anchorAudit } from '../../services/audit-anchor.js';
import { verifyAudit } from '../../services/audit.js';
import { flag, withApp, type Command } from '../command.js';
import { colour, printJson, printLine } from '../output.js';

export const auditVerifyCommand: Command = {
  path: ['audit', 'verify'],
  summary: 'recompute the audit hash chain (archive segments, then the live log) and name the first broken link or missing segment',
  usage:
    'fleetdeck audit verify [--json] [--db PATH]\nChecks the archive segments and the live log as one chain. Exit code 0 when the chain verifies, 2 when a link is broken or events are missing from the tail (compared with the anchor in the data directory).',
  options: {},
  async run(args) {
    const report = await withApp(args, (app) => verifyAudit(app.deps));
    if (flag(args, 'json')) printJson(report);
    else if (report.ok) {
      const archived = report.archive.events > 0 ? ` (${report.archive.events} of them in ${report.archive.segments} archive segment(s))` : '';
      printLine(`${colour('ok', 'green')}: ${report.events} event(s)${archived}, chain verifies up to seq ${report.lastSeq}`);
    } else printLine(`${colour('BROKEN', 'red')} at seq ${report.firstBroken!.seq}: ${report.firstBroken!.reason}`);
    return report.ok ? 0 : 2;
  },
};

export const auditAnchorCommand: Command = {
  path: ['audit', 'anchor'],
  summary: 'record the audit head (seq and hash) in the data directory now; servers do it on every sweep',
  usage: 'fleetdeck audit anchor [--json] [--db PATH]',
  options: {},
  async run(args) {
    const anchor = await withApp(args, (app) => anchorAudit(app.deps));
    if (flag(args, 'json')) printJson({ anchor });
    else printLine(anchor ? `anchored at seq ${anchor.seq} (${anchor.hash})` : 'nothing to anchor: the audit log is empty');
    return 0;
  },
};
