import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { FleetError } from '../../domain/errors.js';
import type { Toolset } from '../tool.js';
import { promptsFor } from './index.js';
import type { PromptContext } from './prompt.js';

/**
 * Registers the prompts of a toolset on the SDK server. A FleetError while rendering (an unknown
 * run id) becomes a protocol error with its code and hint, like a resource read.
 */
export function registerPrompts(mcp: McpServer, ctx: PromptContext, toolset: Toolset): void {
  for (const prompt of promptsFor(toolset)) {
    const args = prompt.args?.(ctx);
    const render = async (values: Record<string, string | undefined>) => {
      try {
        return await prompt.render(ctx, values);
      } catch (error) {
        if (error instanceof FleetError) throw new Error(`${error.code}: ${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}`);
        throw error;
      }
    };
    if (args) {
      mcp.registerPrompt(prompt.name, { title: prompt.title, description: prompt.description, argsSchema: args }, (values) => render(values as Record<string, string | undefined>));
    } else {
      mcp.registerPrompt(prompt.name, { title: prompt.title, description: prompt.description }, () => render({}));
    }
  }
}
