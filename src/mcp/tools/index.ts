import type { AnyTool, Toolset } from '../tool.js';
import { heartbeatTool, registerAgentTool, whoamiTool } from './agents.js';
import { fleetStatusTool, listEventsTool } from './fleet.js';

/** What agents see. Order is the order of tools/list: the first call first. */
export const AGENT_TOOLS: AnyTool[] = [registerAgentTool, heartbeatTool, whoamiTool, fleetStatusTool, listEventsTool];

/** Added for the operator (serve --operator); never listed to agents. */
export const OPERATOR_TOOLS: AnyTool[] = [];

export function toolsFor(toolset: Toolset): AnyTool[] {
  return toolset === 'operator' ? [...AGENT_TOOLS, ...OPERATOR_TOOLS] : AGENT_TOOLS;
}
