import { userInfo } from 'node:os';
import { FleetError } from '../../domain/errors.js';
import type { AccessToken } from '../../store/port/access-tokens.js';
import { createAccessToken, listAccessTokens, revokeAccessToken } from '../../services/access-tokens.js';
import { flag, str, withApp, type Command } from '../command.js';
import { colour, printError, printJson, printLine, printTable } from '../output.js';
import { iso } from '../format.js';

/** Token administration is an operator act of the OS user running the CLI (the stdio trust boundary). */
const operatorActor = () => `operator:${userInfo().username}`;

function tokenJson(t: AccessToken & { agentName?: string | null }) {
  return {
    token_id: t.id,
    kind: t.kind,
    agent_id: t.agentId,
    ...(t.agentName !== undefined ? { agent_name: t.agentName } : {}),
    label: t.label,
    created_at: iso(t.createdAt),
    revoked_at: iso(t.revokedAt),
    last_used_at: iso(t.lastUsedAt),
  };
}

export const tokenCreateCommand: Command = {
  path: ['token', 'create'],
  summary: 'create a bearer token for the HTTP server (an agent identity, or --operator); shown once',
  usage: [
    'fleetdeck token create --agent NAME --role ROLE [--label L] [--json]',
    'fleetdeck token create --agent AGENT_ID [--label L] [--json]',
    'fleetdeck token create --operator [--label NAME] [--json]',
    '',
    '  --agent NAME --role ROLE   the newest agent with that name and role, created if there is none',
    '  --operator                 an operator token: the operator toolset over HTTP, and /metrics; --label names the operator',
    'The secret is printed once; only its SHA-256 is stored. Send it as Authorization: Bearer <secret>.',
  ].join('\n'),
  options: { agent: { type: 'string' }, role: { type: 'string' }, operator: { type: 'boolean' }, label: { type: 'string' } },
  async run(args) {
    const agent = str(args, 'agent');
    const operator = flag(args, 'operator');
    if (!agent === !operator) throw new FleetError('INVALID_INPUT', 'give --agent or --operator (one of them)', this.usage);
    const created = await withApp(args, (app) =>
      createAccessToken(
        app.deps,
        operatorActor(),
        agent ? { kind: 'agent', agent, role: str(args, 'role'), label: str(args, 'label') } : { kind: 'operator', label: str(args, 'label') },
      ),
      { create: true }, // a shared HTTP fleet may start with its first token
    );
    if (flag(args, 'json')) {
      printJson({ ...tokenJson(created.token), secret: created.secret, agent_created: created.agentCreated });
      return 0;
    }
    const who = created.agent ? `agent ${created.agent.name} (${created.agent.id}, ${created.agent.role})${created.agentCreated ? ', newly registered' : ''}` : `operator ${created.token.label}`;
    printError(`created ${created.token.id} for ${who}; the secret below is shown only once:`);
    printLine(created.secret);
    return 0;
  },
};

export const tokenListCommand: Command = {
  path: ['token', 'list'],
  summary: 'list bearer tokens (never their secrets); --all includes revoked ones',
  usage: 'fleetdeck token list [--all] [--json]',
  options: { all: { type: 'boolean' } },
  async run(args) {
    const tokens = await withApp(args, (app) => listAccessTokens(app.deps, flag(args, 'all')));
    if (flag(args, 'json')) {
      printJson({ tokens: tokens.map(tokenJson) });
      return 0;
    }
    printTable(
      ['TOKEN', 'KIND', 'IDENTITY', 'LABEL', 'CREATED', 'LAST USED', 'REVOKED'],
      tokens.map((t) => [
        t.id,
        t.kind,
        t.kind === 'agent' ? `${t.agentName ?? '?'} (${t.agentId})` : `operator ${t.label}`,
        t.label,
        iso(t.createdAt),
        iso(t.lastUsedAt),
        t.revokedAt === null ? null : colour(iso(t.revokedAt)!, 'red'),
      ]),
      64,
    );
    return 0;
  },
};

export const tokenRevokeCommand: Command = {
  path: ['token', 'revoke'],
  summary: 'revoke a bearer token at once (its next request gets 401), with every other credential of its agent',
  usage: 'fleetdeck token revoke TOKEN_ID [--json]',
  options: {},
  positionals: true,
  async run(args) {
    const id = args.positionals[0];
    if (!id || args.positionals.length > 1) throw new FleetError('INVALID_INPUT', 'give one TOKEN_ID', this.usage);
    const { token, changed, alsoRevoked } = await withApp(args, (app) => revokeAccessToken(app.deps, operatorActor(), id));
    if (flag(args, 'json')) printJson({ ...tokenJson(token), changed, also_revoked: alsoRevoked.map(tokenJson) });
    else {
      printLine(changed ? `revoked ${token.id} (${token.label})` : `${token.id} was already revoked at ${iso(token.revokedAt)}`);
      for (const other of alsoRevoked) printLine(`revoked ${other.id} (${other.label}) of the same agent`);
    }
    return 0;
  },
};

