import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Actor } from '../domain/actor.js';
import type { ChangeFeed } from '../services/change-feed.js';
import type { Deps } from '../services/deps.js';
import type { Session } from './session.js';

export type Toolset = 'agent' | 'operator';

/**
 * Who may call a tool: `none` (register_agent: binds the caller), `agent` (a bound agent only),
 * `any` (a bound agent or the operator).
 */
export type Binding = 'none' | 'agent' | 'any';

export interface ToolContext {
  deps: Deps;
  feed: ChangeFeed;
  session: Session;
  actor: Actor;
  /** aborted when the client cancels the request or disconnects */
  signal: AbortSignal;
}

export interface ToolDef<In extends z.ZodObject = z.ZodObject, Out extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** what an LLM reads first: what it does, when to call it, what comes back */
  description: string;
  toolset: Toolset;
  binding: Binding;
  input: In;
  /** false when the input is another tool's, whose listing already describes its fields */
  describeFields?: false;
  output: Out;
  annotations: Pick<ToolAnnotations, 'readOnlyHint' | 'idempotentHint' | 'destructiveHint'>;
  run(ctx: ToolContext, input: z.infer<In>): Promise<z.infer<Out>>;
  /** one short line for the text content (some clients show only the text) */
  summarize(output: z.infer<Out>): string;
}

// The registry holds tools of different shapes; `defineTool` keeps each one fully typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTool = ToolDef<any, any>;

export function defineTool<In extends z.ZodObject, Out extends z.ZodObject>(def: ToolDef<In, Out>): AnyTool {
  return def;
}
