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

export function toolsFor(toolset: Toolset): AnyTool[] {
  return toolset === 'operator' ? [...AGENT_TOOLS, ...OPERATOR_TOOLS] : AGENT_TOOLS;
}
