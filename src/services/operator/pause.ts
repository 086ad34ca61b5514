import { actorLabel, type Actor } from '../../domain/actor.js';
import { livenessAt, type Agent, type Liveness } from '../../domain/agent.js';
import { forbidden, notFound } from '../../domain/errors.js';
import type { Deps } from '../deps.js';
import { writeTx } from '../tx.js';
import { pauseAgentInTx } from './steps/pause.js';

export interface PauseInput {
  agent_id: string;
  reason?: string;
}

export interface PauseResult {
  agent: Agent;
  liveness: Liveness;
  /** false when the agent already was in the requested state (nothing written) */
  changed: boolean;
}

/**
 * A paused agent keeps its identity, its runs and its claims, and stays alive by its signs of
 * life; it gets no new work (take_task answers nothing, accept_handoff is refused) until resumed.
 */
export async function pauseAgent(deps: Deps, actor: Actor, input: PauseInput): Promise<PauseResult> {
  requireOperator(actor, 'pause_agent');
  return writeTx(deps, async (tx, now) => {
    const changed = await pauseAgentInTx(tx, input.agent_id, actorLabel(actor), input.reason ?? null, now);
    const agent = (await tx.agents.get(input.agent_id))!;
    return { agent, liveness: livenessAt(agent, now), changed };
  });
}

export async function unpauseAgent(deps: Deps, actor: Actor, input: PauseInput): Promise<PauseResult> {
  requireOperator(actor, 'resume_agent');
  return writeTx(deps, async (tx, now) => {
    const agent = await tx.agents.get(input.agent_id);
    if (!agent) throw notFound('agent', input.agent_id, 'list agents with fleet_status or fleet://agents');
    if (!agent.paused) return { agent, liveness: livenessAt(agent, now), changed: false };
    await tx.agents.setPaused(agent.id, false);
    await tx.events.append({ actor: actorLabel(actor), type: 'agent.unpaused', agentId: agent.id, payload: { reason: input.reason ?? null } }, now);
    await tx.signals.insert(
      {
        agentId: agent.id,
        kind: 'resume',
        message: `the operator resumed you${input.reason ? `: ${input.reason}` : ''}; continue your runs, take_task for new work`,
        payload: { reason: input.reason ?? null, by: actorLabel(actor) },
      },
      now,
    );
    const resumed = (await tx.agents.get(agent.id))!;
    return { agent: resumed, liveness: livenessAt(resumed, now), changed: true };
  });
}

export function requireOperator(actor: Actor, tool: string): void {
  if (actor.kind === 'operator' || actor.kind === 'system') return;
  throw forbidden(`${tool} is an operator action`, 'ask the operator (fleetdeck CLI or an operator MCP session)');
}
