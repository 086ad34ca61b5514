import { verifyAudit } from '../../services/audit.js';
import { flag, withApp, type Command } from '../command.js';
import { colour, printJson, printLine } from '../output.js';

export const auditVerifyCommand: Command = {
  path: ['audit', 'verify'],
  summary: 'recompute the audit log hash chain and name the first broken link',
  usage: 'fleetdeck audit verify [--json] [--db PATH]\nExit code 0 when the chain verifies, 2 when a link is broken.',
  options: {},
  async run(args) {
    const report = await withApp(args, (app) => verifyAudit(app.deps));
    if (flag(args, 'json')) printJson(report);
    else if (report.ok) printLine(`${colour('ok', 'green')}: ${report.events} event(s), chain verifies up to seq ${report.lastSeq}`);
    else printLine(`${colour('BROKEN', 'red')} at seq ${report.firstBroken!.seq}: ${report.firstBroken!.reason}`);
    return report.ok ? 0 : 2;
  },
};
