import { z } from 'zod';
import { pauseAgent, unpauseAgent } from '../../services/operator/pause.js';
import { agentId, shortText } from '../schemas.js';
import { defineTool } from '../tool.js';
import { agentOut, agentSchema } from './agent-schemas.js';

const input = z.object({ agent_id: agentId, reason: shortText.optional() }).strict();
const output = z.object({ agent: agentSchema, changed: z.boolean().describe('false when it already was in that state') });

export const pauseAgentTool = defineTool({
  name: 'pause_agent',
  title: 'Pause an agent',
  description:
    'Operator: the agent gets no new work (take_task answers nothing, accept_handoff is refused) and a pause signal on its next result. ' +
    'It keeps its runs and claims and stays alive by its signs of life. resume_agent undoes it.',
  toolset: 'operator',
  binding: 'any',
  input,
  output,
  annotations: { readOnlyHint: false, idempotentHint: true, destructiveHint: false },
  async run(ctx, args) {
    const out = await pauseAgent(ctx.deps, ctx.actor, args);
    return { agent: agentOut(out.agent, out.liveness), changed: out.changed };
  },
  summarize: (o) => `${o.agent.name} (${o.agent.agent_id}) is paused${o.changed ? '' : ' (already was)'}`,
});

export const resumeAgentTool = defineTool({
  name: 'resume_agent',
  title: 'Resume a paused agent',
  description: 'Operator: the agent takes work again and gets a resume signal on its next result.',
  toolset: 'operator',
  binding: 'any',
  input,
  output,
  annotations: { readOnlyHint: false, idempotentHint: true, destructiveHint: false },
  async run(ctx, args) {
    const out = await unpauseAgent(ctx.deps, ctx.actor, args);
    return { agent: agentOut(out.agent, out.liveness), changed: out.changed };
  },
  summarize: (o) => `${o.agent.name} (${o.agent.agent_id}) is resumed${o.changed ? '' : ' (was not paused)'}`,
});
