import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import type { ZodType } from 'zod';
import type { ChangeFeed } from '../../services/change-feed.js';
import type { Deps } from '../../services/deps.js';
import type { Session } from '../session.js';

export interface PromptContext {
  deps: Deps;
  feed: ChangeFeed;
  session: Session;
}

/**
 * Prompts are data too: clients show them as commands (slash commands in Claude Code). Arguments
 * are strings (the protocol's rule); `args` may use the SDK's `completable` for id completion.
 */
export interface PromptDef {
  name: string;
  title: string;
  description: string;
  /** built per server, so completions can read the fleet */
  args?: (ctx: PromptContext) => Record<string, ZodType<string | undefined>>;
  render(ctx: PromptContext, args: Record<string, string | undefined>): Promise<GetPromptResult>;
}

export function userText(description: string, text: string): GetPromptResult {
  return { description, messages: [{ role: 'user', content: { type: 'text', text } }] };
}
