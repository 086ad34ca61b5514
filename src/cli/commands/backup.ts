import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FleetError } from '../../domain/errors.js';
import { anchorAudit } from '../../services/audit-anchor.js';
import { verifyAudit } from '../../services/audit.js';
import { listBlobFiles } from '../../services/evidence/blob-files.js';
import { backupFleet, restoreFleet, type BackupDataFile } from '../../store/open-store.js';
import { configFrom, flag, withApp, type Command, type ParsedArgs } from '../command.js';
import { requireExistingFleet } from '../fleet-file.js';
import { colour, printJson, printLine } from '../output.js';

/** What a backup carries besides the database: the evidence blobs and the policy file of the data directory. */
function dataFilesOf(dataDir: string): () => BackupDataFile[] {
  return () => {
    const files = listBlobFiles(dataDir);
    const policy = join(dataDir, 'policy.json');
    if (existsSync(policy)) files.push({ relativePath: 'policy.json', absolutePath: policy });
    return files;
  };
}

function onePositional(args: ParsedArgs, what: string, usage: string): string {
  if (args.positionals.length !== 1) throw new FleetError('INVALID_INPUT', `name one ${what}`, usage);
  return resolve(args.positionals[0]!);
}

export const backupCommand: Command = {
  path: ['backup'],
  summary: 'copy the live embedded fleet (database, evidence blobs, policy) into one file while agents keep working',
  usage:
    'fleetdeck backup FILE [--json] [--db PATH]\nFILE must not exist yet. Restore it with `fleetdeck restore FILE --data-dir DIR`. PostgreSQL fleets use pg_dump or point-in-time recovery (docs/retention.md).',
  options: {},
  positionals: true,
  async run(args) {
    const destination = onePositional(args, 'backup file', 'fleetdeck backup FILE');
    const config = configFrom(args);
    requireExistingFleet(config.db);
    const report = await backupFleet(config.db, destination, dataFilesOf(config.dataDir));
    if (flag(args, 'json')) printJson(report);
    else printLine(`${colour('ok', 'green')}: ${report.file} (${report.bytes} bytes, ${report.pages} pages, ${report.dataFiles} data file(s)); restore with: fleetdeck restore ${report.file} --data-dir DIR`);
    return 0;
  },
};

export const restoreCommand: Command = {
  path: ['restore'],
  summary: 'bring a backup up as a new embedded fleet in an empty data directory, then verify its audit chain',
  usage:
    'fleetdeck restore FILE --data-dir DIR [--json]\nWrites DIR/fleet.db and its data files, checks the database and the audit chain, and anchors the chain in DIR. Exit 0 when everything verifies, 2 when not.',
  options: {},
  positionals: true,
  async run(args) {
    const backupFile = onePositional(args, 'backup file', 'fleetdeck restore FILE --data-dir DIR');
    const dataDirFlag = args.values['data-dir'];
    if (typeof dataDirFlag !== 'string' || !dataDirFlag) {
      throw new FleetError('INVALID_INPUT', '--data-dir is required', 'fleetdeck restore FILE --data-dir DIR (an empty or new directory)');
    }
    const dataDir = resolve(dataDirFlag);
    const restored = await restoreFleet(backupFile, dataDir);
    const verified = await withApp({ values: { ...args.values, db: restored.db, 'data-dir': dataDir }, positionals: [] }, async (app) => {
      const problems = await app.deps.store.integrityCheck();
      const audit = await verifyAudit(app.deps);
      const anchor = audit.ok ? await anchorAudit(app.deps) : null;
      return { problems, audit, anchor };
    });
    const ok = verified.problems.length === 0 && verified.audit.ok;
    const report = { ...restored, ok, integrity: verified.problems, audit: verified.audit, anchor: verified.anchor };
    if (flag(args, 'json')) printJson(report);
    else if (ok) {
      printLine(`${colour('ok', 'green')}: restored ${restored.db} (${restored.dataFiles} data file(s)); ${verified.audit.events} event(s), chain verifies up to seq ${verified.audit.lastSeq}`);
      printLine(`serve it with: fleetdeck serve --db ${restored.db}`);
    } else {
      printLine(`${colour('NOT OK', 'red')}: ${[...verified.problems, verified.audit.firstBroken ? `chain broken at seq ${verified.audit.firstBroken.seq}: ${verified.audit.firstBroken.reason}` : ''].filter(Boolean).join('; ')}`);
    }
    return ok ? 0 : 2;
  },
};
