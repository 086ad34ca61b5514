import { userInfo } from 'node:os';
import type { Actor } from '../../domain/actor.js';
import { forbidden, notFound } from '../../domain/errors.js';
import { tokenMatches } from '../../identity/tokens.js';
import type { Deps } from '../deps.js';
import { readTx } from '../tx.js';

/**
 * Who a one-shot CLI command acts as. By default the operator identity of the OS user (the same
 * trust boundary as `serve --operator`). With `--agent AGENT_ID`, that agent — only if this OS
 * user's token vault holds a token matching it, exactly as resuming over stdio — so a script can
 * act as the worker that holds a run, under the same fencing.
 */
export async function cliActor(deps: Deps, agentId: string | undefined): Promise<Actor> {
  if (agentId === undefined) return { kind: 'operator', name: userInfo().username };
  const hash = await readTx(deps, async (tx) => await tx.agents.tokenHash(agentId));
  if (hash === null) throw notFound('agent', agentId, 'list agents with fleet://agents');
  const token = deps.tokens.load(agentId);
  if (token === null || !tokenMatches(token, hash)) {
    throw forbidden(`this OS user holds no token for ${agentId}`, 'run the command as the user that registered the agent, or omit --agent to act as the operator');
  }
  return { kind: 'agent', agentId };
}
