import { workspaceSetting } from '../../config.js';
import { describeLocation } from '../../domain/workspace.js';
import { locationOf } from '../../services/workspace-identity.js';
import { listClaims } from '../../services/claims/queries.js';
import { claimViewOut } from '../../mcp/tools/claim-schemas.js';
import { flag, str, withApp, type Command } from '../command.js';
import { printJson, printLine, printTable, colour } from '../output.js';

export const claimsCommand: Command = {
  path: ['claims'],
  summary: 'list active scope claims (all workspaces, or filtered by workspace or agent)',
  usage: [
    'fleetdeck claims [--workspace W] [--agent AGENT_ID] [--json] [--db PATH]',
    '',
    'Options:',
    '  --workspace W     only claims in this workspace: a name, or a directory (./, ../, /…) standing for its repository',
    '  --agent AGENT_ID  only claims held by this agent',
    '  --json            the listing as JSON (the same fields as fleet://claims)',
  ].join('\n'),
  options: { agent: { type: 'string' } },
  async run(args) {
    const ws = str(args, 'workspace');
    const workspace = ws === undefined ? undefined : workspaceSetting(ws);
    const listing = await withApp(args, (app) => listClaims(app.deps, { workspace, agentId: str(args, 'agent') }));
    const claims = listing.claims.map(claimViewOut);
    const here = locationOf(process.cwd());
    if (flag(args, 'json')) {
      printJson({ claims, total: listing.total });
      return 0;
    }
    printTable(
      ['CLAIM', 'WORKSPACE', 'KIND', 'PATTERN', 'MODE', 'HOLDER', 'WHERE', 'LIVENESS', 'RUN', 'SINCE', 'EXPIRES'],
      claims.map((c) => [
        c.claim_id,
        c.workspace,
        c.kind,
        c.pattern,
        c.mode,
        c.holder ? `${c.holder.name} (${c.holder.agent_id})` : null,
        describeLocation(c.location, here),
        c.holder?.liveness,
        c.run_id,
        c.since,
        c.expires_at,
      ]),
      64,
    );
    if (listing.total > claims.length) printLine(colour(`… ${listing.total - claims.length} more; filter with --workspace or --agent`, 'dim'));
    return 0;
  },
};
