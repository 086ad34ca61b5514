import type { AnyTool, Toolset } from '../tool.js';
import { heartbeatTool, registerAgentTool, whoamiTool } from './agents.js';
import { checkScopeTool, claimScopeTool, forceReleaseTool, releaseScopeTool } from './claims.js';
import { attachEvidenceTool, verifyArtifactTool } from './evidence.js';
import { awaitUpdateTool } from './await.js';
import { listBlockersTool, raiseBlockerTool, resolveBlockerTool } from './blockers.js';
import { fleetStatusTool, listEventsTool } from './fleet.js';
import { acceptHandoffTool, declineHandoffTool, handoffTool, listHandoffsTool, withdrawHandoffTool } from './handoffs.js';
import { pauseAgentTool, resumeAgentTool } from './operator-agents.js';
import { cancelTaskTool, getRunTool, listRunsTool, startRunTool, submitResultTool, submitTaskTool, takeTaskTool } from './runs.js';
import { cancelRunTool, reassignRunTool, requeueRunTool } from './runs-operator.js';

/** What agents see. Order is the order of tools/list: the first call first. */
export const AGENT_TOOLS: AnyTool[] = [registerAgentTool, heartbeatTool, whoamiTool, submitTaskTool, takeTaskTool, startRunTool, claimScopeTool, checkScopeTool, releaseScopeTool, attachEvidenceTool, verifyArtifactTool, submitResultTool, handoffTool, acceptHandoffTool, declineHandoffTool, withdrawHandoffTool, listHandoffsTool, raiseBlockerTool, awaitUpdateTool, getRunTool, listRunsTool, cancelTaskTool, fleetStatusTool, listEventsTool];

/** Added for the operator (serve --operator); never listed to agents. */
export const OPERATOR_TOOLS: AnyTool[] = [forceReleaseTool, requeueRunTool, cancelRunTool, reassignRunTool, resolveBlockerTool, listBlockersTool, pauseAgentTool, resumeAgentTool];

/**
 * Profiles chosen at serve time (`serve --tools core|full`). `full` (the default) lists every tool
 * of the toolset; `core` lists what a worker needs to take, claim, report, hand off and finish
 * work, for clients that pay for every listed tool in a small context.
 */
export const TOOL_PROFILES = ['full', 'core'] as const;
export type ToolProfile = (typeof TOOL_PROFILES)[number];

export const CORE_AGENT_TOOLS: AnyTool[] = [registerAgentTool, heartbeatTool, whoamiTool, takeTaskTool, startRunTool, claimScopeTool, releaseScopeTool, attachEvidenceTool, submitResultTool, handoffTool, acceptHandoffTool, raiseBlockerTool, awaitUpdateTool, getRunTool];

export function toolsFor(toolset: Toolset, profile: ToolProfile = 'full'): AnyTool[] {
  const agentTools = profile === 'core' ? CORE_AGENT_TOOLS : AGENT_TOOLS;
  return toolset === 'operator' ? [...agentTools, ...OPERATOR_TOOLS] : agentTools;
}
