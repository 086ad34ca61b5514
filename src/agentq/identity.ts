import type { Agent } from '../domain/agent.js';
import { heartbeatSecondsFor, registerOrResumeByName, touchAgent } from '../services/agents.js';
import type { Deps } from '../services/deps.js';

/**
 * The bridge is a fleet identity of its own: it submits the runs it receives (so their
 * idempotency keys live in one scope) and is the author of their context evidence. Every bridge
 * and `agentq submit` of this OS user resumes the same identity (token vault), and its liveness
 * shows in `fleetdeck status` whether a bridge is running.
 */
export const BRIDGE_AGENT = { name: 'agentq-bridge', role: 'agentq-bridge' } as const;

export async function bridgeIdentity(deps: Deps): Promise<Agent> {
  return (await registerOrResumeByName(deps, BRIDGE_AGENT.name, BRIDGE_AGENT.role)).agent;
}

/** Keeps the identity alive while the bridge runs (a sign of life, no audit event). */
export function keepAlive(deps: Deps, agent: Agent, onError: (e: unknown) => void): () => void {
  const timer = setInterval(() => void touchAgent(deps, agent.id).catch(onError), heartbeatSecondsFor(agent) * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
