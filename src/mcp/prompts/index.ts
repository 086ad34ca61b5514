import { agentGuidePrompt } from './agent-guide.js';
import { operatorTriagePrompt } from './operator-triage.js';
import type { PromptDef } from './prompt.js';
import type { Toolset } from '../tool.js';
import { writeHandoffPrompt } from './write-handoff.js';

/** Prompts every client sees, and the operator's (listed only in the operator toolset). */
export const AGENT_PROMPTS: PromptDef[] = [agentGuidePrompt, writeHandoffPrompt];
export const OPERATOR_PROMPTS: PromptDef[] = [operatorTriagePrompt];

export function promptsFor(toolset: Toolset): PromptDef[] {
  return toolset === 'operator' ? [...AGENT_PROMPTS, ...OPERATOR_PROMPTS] : AGENT_PROMPTS;
}
