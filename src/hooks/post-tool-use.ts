/**
 * post-tool-use (and user-prompt-submit): a sign of life for the session's agent, which renews its
 * run leases and claims while the model works between fleetdeck tool calls, and the agent's pending
 * signals as additional context (taken once: the MCP server will not deliver them again).
 */
import { touchAgent } from '../services/agents.js';
import { takeSignalsOnce } from '../services/signals-once.js';
import type { HookAnswer } from './answer.js';
import { signalsText, type HookContext } from './context.js';

export async function signOfLifeAndSignals(ctx: HookContext): Promise<HookAnswer> {
  await touchAgent(ctx.deps, ctx.agentId);
  const signals = await takeSignalsOnce(ctx.deps, ctx.agentId);
  return signals.length === 0 ? { kind: 'none' } : { kind: 'context', text: signalsText(signals) };
}

export const postToolUse = signOfLifeAndSignals;
